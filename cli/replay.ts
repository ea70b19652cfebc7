#!/usr/bin/env node
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, DEFAULT_CONFIG, type TrailguardConfig, parseConfig } from "../shared/core/config/config.js";
import { loadConfigFile } from "../shared/edges/config/load-config.js";
import { RULES_DIR, bundledSampleDirs } from "../shared/edges/replay/bundled-samples.js";
import { RULE_DOCS } from "../shared/core/rules/rule-docs.js";
import { SAMPLE_CONFIG } from "../shared/core/rules/sample-config.js";
import { atLeast } from "../shared/core/model/severity.js";
import { type ReplayCommand, UsageError, parseReplayArgs } from "../shared/edges/replay/cli-options.js";
import { expandInputPaths } from "../shared/edges/replay/input-paths.js";
import { type ActOnFindings, type ReplayReporter, replaySources } from "../shared/edges/replay/replay-run.js";
import { formatProblem, jsonlReporter, progressLine, textReporter } from "../shared/edges/replay/reporters.js";
import { withIncidents } from "../shared/edges/replay/incident-report.js";
import { alertHeadline } from "../shared/core/report/alert-message.js";
import { RULES } from "../shared/core/rules/registry.js";
import { createRuntime } from "../shared/edges/lambda/create-runtime.js";
import { silentLogger } from "../shared/edges/log/log.js";

const USAGE = `Usage: npm run --silent replay -- [paths...] [options]

Replays CloudTrail events through trailguard's rules and shows the findings and the response
it would take. By default nothing is sent to AWS.

Paths are files or folders (searched recursively for .json, .json.gz, .jsonl, .gz); "-" reads
standard input. With no path, the bundled sample events (every rule pack's samples/) are replayed.
Accepted: EventBridge events, raw CloudTrail records, CloudTrail log files {"Records":[...]}
(gzip or not), JSON arrays and JSON Lines of those, and 'aws cloudtrail lookup-events' output.

Output:
  --format text|jsonl   text: a report per finding and a summary (default on a terminal);
                        jsonl: one finding per line on stdout, everything else on stderr
                        (default when stdout is not a terminal)
  --no-progress         no progress bar (it is only ever drawn when stderr is a terminal)
Filters:
  --since TIME, --until TIME   eventTime window, [since, until); dates or ISO 8601 times
  --account ID, --region NAME  only these accounts / regions (repeat or comma-separate)
  --min-severity LEVEL         only findings at or above info|low|medium|high|critical
  --rule ID                    only these rules (repeat or comma-separate; see --list-rules)
Scale:
  -j, --jobs N          worker threads (default: the number of cores)
  --unordered           report files as they finish instead of in input order
Gate:
  --fail-on LEVEL       exit 3 when a finding at or above LEVEL is seen (for CI)
Response (off by default: without --mode or --publish, actions are only planned):
  --config FILE         trailguard settings as JSON (see README, and
                        examples/trailguard.config.json)
  --mode off|dry-run|enforce
                        run the responder: dry-run reports what it would do; enforce
                        CALLS AWS (the endpoint and credentials in the environment, e.g.
                        AWS_ENDPOINT_URL for moto_server) and changes IAM. Only this
                        option enforces: the config's mode and ruleModes never go
                        beyond it
  --publish             publish alerts to ALERT_TOPIC_ARN (or the config's alertTopicArn).
                        Without --mode it runs the responder in dry-run: the alerts say
                        DRY-RUN and nothing is changed; add --mode enforce to act
Other:
  --list-rules          print the rules with their metadata and exit
  -h, --help            this text

Exit status: 0 when every input was read; 1 when a file or record could not be understood
(the rest is still processed); 2 on a usage or configuration error; 3 when --fail-on matched.`;

// The AWS SDK warns on Node 20 that its releases after January 2027 need Node 22. This CLI pins
// its SDK versions and supports Node 20 (package.json engines), so the notice is noise in its
// output; setting the variable to "false" shows it again (aws/aws-sdk-js-v3#7983).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = (text: string) => process.stdout.write(text);
const err = (text: string) => process.stderr.write(text);

async function main(argv: string[]): Promise<number> {
  let command: ReplayCommand;
  let config: TrailguardConfig = DEFAULT_CONFIG;
  try {
    command = parseReplayArgs(argv);
    if (command.configPath) config = loadConfigFile(command.configPath);
    // No path: the bundled samples, judged as their expected findings are, with trailguard deployed in their account.
    else if (command.paths.length === 0) config = parseConfig(SAMPLE_CONFIG, "the bundled samples' configuration");
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      err(`replay: ${error.message}\n${error instanceof UsageError ? "Try --help.\n" : ""}`);
      return 2;
    }
    throw error;
  }
  if (command.help) {
    out(`${USAGE}\n`);
    return 0;
  }
  if (command.listRules) {
    out(`${listRules()}\n`);
    return 0;
  }

  let act: ActOnFindings | undefined;
  if (command.mode !== undefined || command.publish) {
    const topic = config.alertTopicArn ?? process.env.ALERT_TOPIC_ARN;
    // Only --mode enforce enforces: without --mode (--publish alone) the responder runs in
    // dry-run, and a configuration's mode and ruleModes (written for the deployed functions)
    // never take replay further than the command line says.
    const mode = command.mode ?? "dry-run";
    const ruleModes = Object.fromEntries(Object.entries(config.ruleModes).map(([rule, ruleMode]) => [rule, mode === "enforce" || ruleMode === "off" ? ruleMode : mode]));
    try {
      config = parseConfig({ ...config, mode, ruleModes, alertTopicArn: command.publish ? topic : undefined }, "command line");
    } catch (error) {
      err(`replay: ${(error as Error).message}\n`);
      return 2;
    }
    if (command.publish && !config.alertTopicArn) {
      err("replay: --publish needs ALERT_TOPIC_ARN (or alertTopicArn in --config)\n");
      return 2;
    }
    const runtime = createRuntime({ rules: RULES, config, publish: command.publish, logger: silentLogger });
    act = async (findings) => (await runtime.respondAndAlert(findings)).findings;
    err(
      `replay: responder mode ${config.mode}${command.publish ? `, publishing alerts to ${config.alertTopicArn}` : ""}${config.mode === "enforce" ? " — this changes IAM" : config.mode === "dry-run" ? " (nothing is changed in IAM; --mode enforce acts)" : ""}\n`,
    );
  }

  let paths = command.paths;
  if (paths.length === 0) {
    paths = bundledSampleDirs().map((dir) => relative(process.cwd(), dir));
    err(
      `replay: no path given, replaying the bundled samples of every rule pack (${relative(process.cwd(), RULES_DIR) || "."}/*/samples/)${command.configPath ? "" : " as trailguard-prod in their account 111122223333 would"}\n`,
    );
  }
  const format = command.format ?? (process.stdout.isTTY ? "text" : "jsonl");
  const colour = format === "text" && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const plainBase = format === "text" ? textReporter(out, err, colour) : jsonlReporter(out, err);
  // What the on-call would have been told: incidents, pages, updates, suppressions.
  const base = withIncidents(plainBase, config, alertHeadline, { writeSummary: (lines) => (format === "text" ? out : err)(`${lines.join("\n")}\n`) });
  const bar = command.progress && process.stderr.isTTY ? progressLine(err, () => process.stderr.columns ?? 80) : undefined;
  let worst: string | undefined;
  const reporter: ReplayReporter = {
    finding(finding, origin) {
      bar?.clear();
      if (command.failOn && atLeast(finding.severity, command.failOn)) worst = finding.severity;
      base.finding(finding, origin);
    },
    problem(problem) {
      bar?.clear();
      base.problem(problem);
    },
    fileEnd: () => base.fileEnd?.(),
    ...(bar ? { progress: bar.progress } : {}),
    end(summary) {
      bar?.clear();
      base.end(summary);
    },
  };

  const { sources, problems } = await expandInputPaths(paths);
  for (const problem of problems) err(`${formatProblem({ level: "error", source: problem.path, position: "path", reason: problem.reason })}\n`);
  const summary = await replaySources(sources, reporter, {
    config,
    filters: command.filters,
    ordered: command.ordered,
    ...(command.jobs !== undefined ? { jobs: command.jobs } : {}),
    ...(act ? { act } : {}),
  });
  if (summary.errors + problems.length > 0) return 1;
  if (worst !== undefined) {
    err(`replay: --fail-on ${command.failOn}: a ${worst} finding was seen\n`);
    return 3;
  }
  return 0;
}

function listRules(): string {
  return RULES.map(
    (rule) =>
      `${rule.id}  [${rule.category}]  ${rule.title}\n  MITRE ${rule.technique.id} ${rule.technique.name}\n  severity: ${RULE_DOCS[rule.id]?.severityLogic ?? "(not documented)"}\n  runbook: ${rule.runbook}\n`,
  ).join("\n");
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    err(`replay: internal error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 70;
  },
);
