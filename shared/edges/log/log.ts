/**
 * Structured logs: one JSON object per line, which CloudWatch Logs Insights queries directly.
 * Field values from events are data; JSON encoding keeps them from forging log lines.
 */
import type { Logger } from "../../core/model/logger.js";

export type { LogLevel, Logger } from "../../core/model/logger.js";
export { silentLogger } from "../../core/model/logger.js";

export function jsonLogger(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  return {
    log(level, message, fields = {}) {
      write(JSON.stringify({ level, message, ...fields, time: new Date().toISOString() }));
    },
  };
}
