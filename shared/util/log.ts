/**
 * Structured logs: one JSON object per line, which CloudWatch Logs Insights queries directly.
 * Field values from events are data; JSON encoding keeps them from forging log lines.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

export function jsonLogger(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  return {
    log(level, message, fields = {}) {
      write(JSON.stringify({ level, message, ...fields, time: new Date().toISOString() }));
    },
  };
}

export const silentLogger: Logger = { log: () => undefined };
