// Environment values that point at resources of the deployed stack (the alert topic, the
// functions' own roles and resources, their input queues). CloudFormation resolves them at deploy
// time; `serverless invoke local` cannot (it has no stack to ask, and must work offline), so
// there they are left empty: the function then runs in dry-run, takes the event as given, logs
// its alerts instead of publishing them, and keeps no idempotency records.
const { model } = require("./stack-model.cjs");

const invokedLocally = () => {
  const args = process.argv.slice(2);
  const at = args.indexOf("invoke");
  return at >= 0 && args[at + 1] === "local";
};

async function names(resolveVariable) {
  return { service: await resolveVariable("self:service"), stage: await resolveVariable("sls:stage") };
}
const deployed = (render) => async ({ resolveVariable }) => (invokedLocally() ? "" : render(model(), await names(resolveVariable)));

module.exports.alertTopicArn = deployed(() => ({ Ref: "AlertTopic" }));
module.exports.idempotencyTable = deployed((m, n) => `${m.prefixOf(n)}-idempotency`);

// Every function knows all of trailguard's roles and resources, except the root monitor, which
// watches only the tamper monitor (the one function that cannot report its own replacement).
module.exports.responderRoleArns = deployed((m, n) => m.roleArnsValue(n, m.FUNCTION_NAMES));
module.exports.ownResources = deployed((m, n) => m.ownResourcesValue(n, "all"));
module.exports.containmentRoleArns = deployed((m, n) => m.roleArnsValue(n, ["iam-responder"]));
module.exports.heartbeatRoleArns = deployed((m, n) => m.roleArnsValue(n, ["heartbeat"]));
module.exports.watcherRoleArns = deployed((m, n) => m.roleArnsValue(n, ["tamper-monitor"]));
module.exports.watcherOwnResources = deployed((m, n) => m.ownResourcesValue(n, ["tamper-monitor"]));

module.exports.iamResponderQueue = deployed((m) => m.queueArnOf("iam-responder"));
module.exports.rootMonitorQueue = deployed((m) => m.queueArnOf("root-monitor"));
module.exports.exposureMonitorQueue = deployed((m) => m.queueArnOf("exposure-monitor"));
module.exports.failureMonitorQueue = deployed((m) => m.queueArnOf("failure-monitor"));
module.exports.tamperMonitorQueue = deployed((m) => m.queueArnOf("tamper-monitor"));
module.exports.heartbeatRole = deployed((m, n) => m.functionNameOf(n, "heartbeat"));
// The account's default Security Hub product: where the exporter imports findings.
module.exports.securityHubProductArn = deployed(() => ({
  "Fn::Sub": "arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:product/${AWS::AccountId}/default",
}));
