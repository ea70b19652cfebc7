import { describe, expect, it } from "vitest";
import { analyse, findingsOf, iamCall } from "../../../../test/support/records.js";

/** Identity providers swapped or added: the door behind every trusting role. Alert only. */
const RULE = "identity-provider-changed";
const verdict = (eventName: string, requestParameters: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  findingsOf(analyse(iamCall(eventName, requestParameters, extra), { mode: "enforce" })).find((finding) => finding.ruleId === RULE);

describe("identity provider created or changed", () => {
  it.each<[string, Record<string, unknown>, string]>([
    ["UpdateSAMLProvider", { sAMLProviderArn: "arn:aws:iam::111122223333:saml-provider/okta", sAMLMetadataDocument: "<x/>" }, "high"],
    ["UpdateOpenIDConnectProviderThumbprint", { openIDConnectProviderArn: "arn:aws:iam::111122223333:oidc-provider/example.com", thumbprintList: ["0".repeat(40)] }, "high"],
    ["AddClientIDToOpenIDConnectProvider", { openIDConnectProviderArn: "arn:aws:iam::111122223333:oidc-provider/example.com", clientID: "attacker-app" }, "medium"],
    ["CreateSAMLProvider", { name: "shadow", sAMLMetadataDocument: "<x/>" }, "medium"],
    ["CreateOpenIDConnectProvider", { url: "https://attacker.example", clientIDList: ["sts.amazonaws.com"] }, "medium"],
  ])("%s is %s, names the provider, and is never acted on", (eventName, parameters, severity) => {
    const found = verdict(eventName, parameters);
    expect(found?.severity).toBe(severity);
    expect(found?.summary).toContain(String(parameters.sAMLProviderArn ?? parameters.openIDConnectProviderArn ?? parameters.name ?? parameters.url));
    expect(found?.actions).toEqual([]);
  });

  it("tags, deletions, failures and a prototype key raise nothing or low", () => {
    expect(verdict("TagOpenIDConnectProvider", { openIDConnectProviderArn: "arn:aws:iam::111122223333:oidc-provider/example.com" })).toBeUndefined();
    expect(verdict("DeleteSAMLProvider", { sAMLProviderArn: "arn:aws:iam::111122223333:saml-provider/okta" })).toBeUndefined();
    expect(verdict("UpdateSAMLProvider", { sAMLProviderArn: "x" }, { errorCode: "AccessDenied" })?.severity).toBe("low");
    expect(verdict("UpdateSAMLProvider", { sAMLProviderArn: 'x"\nforged' })?.summary).not.toContain("\n");
  });
});
