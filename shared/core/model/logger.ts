/**
 * What the core asks of a logger: one structured line per call. The JSON implementation that
 * writes to stdout is an edge (`shared/edges/log/log.ts`); the core only holds the contract.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { log: () => undefined };
