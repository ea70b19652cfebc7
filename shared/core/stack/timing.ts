/**
 * The functions' timing, apart from the stack model so a function can read it without bundling
 * the model (which names every function's rules, so every rule's code).
 */

/** Function timeout (s); the input queues' visibility timeout is six times it, as AWS advises. */
export const FUNCTION_TIMEOUT_SECONDS = 60;
export const INPUT_VISIBILITY_TIMEOUT_SECONDS = 6 * FUNCTION_TIMEOUT_SECONDS;
