import { parseConfig } from "../../shared/core/config/config.js";
import { createAnalyser } from "../../shared/core/engine/analyse.js";
import type { Finding } from "../../shared/core/model/finding.js";
import { RULES } from "../../shared/core/rules/registry.js";
import { memoryWindowCounter } from "../../shared/core/state/memory-window-counter.js";
import { findingsOf } from "./records.js";

/**
 * The pipeline as the failure monitor and replay run it, for tests of rules that count: every
 * rule, default configuration, counts kept in memory, each event counted and then judged with
 * the answers. `all` judges events in order and gives, per event, the findings of `ruleId`.
 */
export function judgeInOrder(ruleId: string) {
  const analyser = createAnalyser(parseConfig({}, "test"), RULES);
  const counter = memoryWindowCounter();
  const one = async (input: unknown): Promise<readonly Finding[]> => {
    const requests = analyser.countsFor(input);
    return findingsOf(analyser.analyse(input, requests.length > 0 ? { counts: await counter.count(requests) } : {}));
  };
  const all = async (inputs: readonly unknown[]): Promise<Finding[][]> => {
    const out: Finding[][] = [];
    for (const input of inputs) out.push((await one(input)).filter((finding) => finding.ruleId === ruleId));
    return out;
  };
  return { analyser, counter, one, all };
}
