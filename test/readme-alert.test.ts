import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exampleAlert, withAlertExamples } from "../scripts/alert-example.js";

/** The README shows an alert exactly as the functions render it (`npm run docs:alert` rewrites it). */
describe("the README's example alert", () => {
  const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");

  it("is what the renderer produces today", () => {
    expect(readme).toBe(withAlertExamples(readme));
  });

  it("shows a critical page about the right people, a FAILED action with what to do by hand, and the release", () => {
    const alert = exampleAlert();
    expect(alert.findings[0]?.severity).toBe("critical");
    const block = readme.slice(readme.indexOf("<!-- alert-example:email -->"), readme.indexOf("<!-- /alert-example:email -->"));
    expect(block).toContain("Subject: [CRITICAL] mallory attached AdministratorAccess to newadmin in prod (111122223333)");
    expect(block).toMatch(/FAILED: attach-deny-policy .* Do it by hand/);
    expect(block).toContain("aws iam attach-user-policy --user-name mallory --policy-arn arn:aws:iam::aws:policy/AWSDenyAll");
    expect(block).toContain("npm run release -- '0c1d2e3f-0000-4000-8000-000000000001/managed-policy-attached'");
    expect(block).not.toContain('"findingId"');
  });
});
