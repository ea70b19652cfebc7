// Loads shared/core/stack/stack-model.ts (the stack's resources, rendered from rule metadata) into
// serverless.yml at package time: esbuild bundles it in memory, so the template is derived from
// the same rule code the functions run, with no hand-kept event lists.
const { buildSync } = require("esbuild");
const Module = require("node:module");
const path = require("node:path");

let cached;
function model() {
  if (cached) return cached;
  const entry = path.join(__dirname, "..", "shared", "core", "stack", "stack-model.ts");
  const built = buildSync({ entryPoints: [entry], bundle: true, platform: "node", format: "cjs", write: false, target: "node20", logLevel: "silent" });
  const loaded = new Module(entry);
  loaded.filename = entry;
  loaded.paths = Module._nodeModulePaths(path.dirname(entry));
  loaded._compile(built.outputFiles[0].text, entry);
  cached = loaded.exports;
  return cached;
}

async function names(resolveVariable) {
  return { service: await resolveVariable("self:service"), stage: await resolveVariable("sls:stage") };
}

module.exports.model = model;
// The optional Security Hub export (--param="securityHub=true") is the default of a template
// parameter, and its resources are created under a condition on it (see securityHubResources).
module.exports.resources = async ({ resolveVariable }) =>
  model().stackResources(await names(resolveVariable), { securityHub: model().securityHubSetting(await resolveVariable("param:securityHub")) });
module.exports.functionTimeout = async () => model().FUNCTION_TIMEOUT_SECONDS;
