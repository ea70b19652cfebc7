#!/usr/bin/env node
import { parseArgs } from "node:util";
import { ReleaseError, type ReleaseReport, releaseContainment } from "../shared/edges/aws/release-containment.js";

// The AWS SDK warns on Node 20 that its releases after January 2027 need Node 22. This CLI pins
// its SDK versions and supports Node 20 (package.json engines), so the notice is noise in its
// output; setting the variable to "false" shows it again (aws/aws-sdk-js-v3#7983).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const USAGE = `Usage: npm run --silent release -- <finding-id | principal-arn> [options]

Undoes exactly what trailguard's responder changed for a finding (or for every unreleased
containment of a principal): reactivates the access keys it deactivated, detaches the deny
policy it attached, deletes the revoke-sessions policy it put. Uses your own AWS credentials.
Each undo is recorded first, so the responder recognises your calls as this release and does
not contain them again; they still raise their findings and alerts, which name the release.

  --table NAME             trailguard's DynamoDB table (default: $TRAILGUARD_IDEMPOTENCY_TABLE)
  --dry-run                show what would be undone; change nothing
  --record-only            record the release, and make the IAM changes yourself (console)
                           within one hour
  --assume-role-name NAME  a role you may assume in other accounts, for containments there
  -h, --help               this text

Exit status: 0 released, 1 some step failed, 2 usage error or nothing to release.`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        table: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        "record-only": { type: "boolean", default: false },
        "assume-role-name": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const tableName = values.table ?? process.env.TRAILGUARD_IDEMPOTENCY_TABLE;
  if (positionals.length !== 1 || !tableName) {
    process.stderr.write(`${positionals.length !== 1 ? "name one finding id or principal ARN" : "no table: pass --table or set TRAILGUARD_IDEMPOTENCY_TABLE"}\n\n${USAGE}\n`);
    return 2;
  }
  try {
    const report = await releaseContainment({
      tableName,
      target: positionals[0] as string,
      dryRun: values["dry-run"],
      recordOnly: values["record-only"],
      ...(values["assume-role-name"] ? { assumeRoleName: values["assume-role-name"] } : {}),
    });
    process.stdout.write(formatReport(report));
    return report.containments.every((containment) => containment.results.every((result) => result.status !== "failed")) ? 0 : 1;
  } catch (error) {
    if (error instanceof ReleaseError) {
      process.stderr.write(`release: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`release failed: ${(error as Error).name}: ${(error as Error).message}\n`);
    return 1;
  }
}

function formatReport(report: ReleaseReport): string {
  const lines = [`release by ${report.releasedBy}`];
  for (const containment of report.containments) {
    lines.push(`finding ${containment.findingId}: ${containment.title}`);
    for (const result of containment.results) lines.push(`  ${result.status.toUpperCase()} ${result.detail}`);
  }
  return `${lines.join("\n")}\n`;
}

process.exitCode = await main(process.argv.slice(2));
