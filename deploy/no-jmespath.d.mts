/** Types of the Lambda bundles' JMESPath stub (no-jmespath.mjs), for the test that proves it is never called. */
export declare function search(expression: unknown): never;
export declare class PowertoolsFunctions {}
export declare class Functions {}
