#!/usr/bin/env node
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ConfigError, DEFAULT_CONFIG, RESPONSE_MODES, type TrailguardConfig, loadConfigFile, parseConfig } from "../shared/config/config.js";
import { createAnalyser } from "../shared/pipeline/analyse.js";
import { expandInputPaths } from "../shared/replay/input-paths.js";
import { type ActOnFindings, replaySources } from "../shared/replay/replay-run.js";
import { formatProblem, jsonlReporter, textReporter } from "../shared/replay/reporters.js";
import { RULES } from "../shared/rules/registry.js";
import { createRuntime } from "../shared/runtime/create-runtime.js";
import { silentLogger } from "../shared/util/log.js";

const USAGE = `Usage: npm run --silent replay -- [paths...] [options]

Replays CloudTrail events through trailguard's rules and shows the findings and the response
it would take. By default nothing is sent to AWS.

Paths are files or folders (searched recursively for .json, .json.gz, .jsonl, .gz); "-" reads
standard input. With no path, the bundled sample events in events/ are replayed.
Accepted: EventBridge events, raw CloudTrail records, CloudTrail log files {"Records":[...]}
(gzip or not), JSON arrays and JSON Lines of those, and 'aws cloudtrail lookup-events' output.

Options:
  --format text|jsonl   text: a report per finding and a summary (default on a terminal);
                        jsonl: one finding per line on stdout, everything else on stderr
                        (default when stdout is not a terminal)
  --config FILE         trailguard settings as JSON (trustedAccounts, allowlist,
                        responderRoleArns, responsePolicy); see README
  --mode off|dry-run|enforce
                        run the responder: dry-run reports what it would do; enforce
                        CALLS AWS (the endpoint and credentials in the environment, e.g.
                        AWS_ENDPOINT_URL for moto_server) and changes IAM. Without --mode,
                        actions are only planned and nothing reaches AWS.
  --publish             publish alerts to ALERT_TOPIC_ARN (or the config's alertTopicArn)
  --list-rules          print the rules with their metadata and exit
  -h, --help            this text

Exit status: 0 when every input was read, 1 when a file or record could not be
understood (the rest is still processed), 2 on a usage or configuration error.`;

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: "string" },
        config: { type: "string" },
        mode: { type: "string" },
        publish: { type: "boolean", default: false },
        "list-rules": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`replay: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values["list-rules"]) {
    process.stdout.write(`${listRules()}\n`);
    return 0;
  }
  const format = values.format ?? (process.stdout.isTTY ? "text" : "jsonl");
  if (format !== "text" && format !== "jsonl") {
    process.stderr.write(`replay: --format must be "text" or "jsonl", not "${format}"\n`);
    return 2;
  }
  let config: TrailguardConfig = DEFAULT_CONFIG;
  if (values.config) {
    try {
      config = loadConfigFile(values.config);
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`replay: ${error.message}\n`);
        return 2;
      }
      throw error;
    }
  }
  if (values.mode !== undefined && !(RESPONSE_MODES as readonly string[]).includes(values.mode)) {
    process.stderr.write(`replay: --mode must be one of ${RESPONSE_MODES.join(", ")}, not "${values.mode}"\n`);
    return 2;
  }
  const topic = config.alertTopicArn ?? process.env.ALERT_TOPIC_ARN;
  let act: ActOnFindings | undefined;
  if (values.mode !== undefined || values.publish) {
    try {
      config = parseConfig({ ...config, mode: values.mode ?? config.mode, alertTopicArn: values.publish ? topic : undefined }, "command line");
    } catch (error) {
      process.stderr.write(`replay: ${(error as Error).message}\n`);
      return 2;
    }
    if (values.publish && !config.alertTopicArn) {
      process.stderr.write("replay: --publish needs ALERT_TOPIC_ARN (or alertTopicArn in --config)\n");
      return 2;
    }
    const runtime = createRuntime({ config, publish: values.publish, logger: silentLogger });
    act = async (findings) => (await runtime.respondAndAlert(findings)).findings;
    process.stderr.write(
      `replay: responder mode ${config.mode}${values.publish ? `, publishing alerts to ${config.alertTopicArn}` : ""}${config.mode === "enforce" ? " — this changes IAM" : ""}\n`,
    );
  }
  let paths = positionals;
  if (paths.length === 0) {
    const bundled = relative(process.cwd(), join(packageRoot, "events")) || ".";
    process.stderr.write(`replay: no path given, replaying the bundled samples in ${bundled}/ (dry-run)\n`);
    paths = [bundled];
  }

  const out = (text: string) => process.stdout.write(text);
  const err = (text: string) => process.stderr.write(text);
  const colour = format === "text" && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const reporter = format === "text" ? textReporter(out, err, colour) : jsonlReporter(out, err);
  const { sources, problems } = await expandInputPaths(paths);
  for (const problem of problems) err(`${formatProblem({ level: "error", source: problem.path, position: "path", reason: problem.reason })}\n`);
  const summary = await replaySources(sources, createAnalyser(config), reporter, act);
  return summary.errors + problems.length > 0 ? 1 : 0;
}

function listRules(): string {
  return RULES.map(
    (rule) =>
      `${rule.id}  [${rule.category}]  ${rule.title}\n  MITRE ${rule.technique.id} ${rule.technique.name}\n  severity: ${rule.severityLogic}\n  runbook: ${rule.runbook}\n`,
  ).join("\n");
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`replay: internal error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 70;
  },
);
