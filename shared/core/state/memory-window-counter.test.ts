import { describeWindowCounter } from "../../../test/support/window-counter-contract.js";
import { memoryWindowCounter } from "./memory-window-counter.js";

describeWindowCounter("in memory", () => memoryWindowCounter());
