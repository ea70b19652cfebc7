// Environment values that point at resources of the deployed stack (the alert topic, the
// functions' own roles). CloudFormation resolves them at deploy time; `serverless invoke local`
// cannot (it has no stack to ask, and must work offline), so there they are left empty: the
// function then runs in dry-run, logs its alerts instead of publishing them, and keeps no
// idempotency records.
const invokedLocally = () => {
  const args = process.argv.slice(2);
  const at = args.indexOf("invoke");
  return at >= 0 && args[at + 1] === "local";
};

module.exports.alertTopicArn = async () => (invokedLocally() ? "" : { Ref: "AlertTopic" });

module.exports.responderRoleArns = async ({ resolveVariable }) => {
  if (invokedLocally()) return "";
  const service = await resolveVariable("self:service");
  const stage = await resolveVariable("sls:stage");
  const role = (fn) => `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${service}-${stage}-${fn}`;
  return { "Fn::Sub": `${role("iam-responder")},${role("root-monitor")}` };
};

module.exports.idempotencyTable = async ({ resolveVariable }) => {
  if (invokedLocally()) return "";
  return `${await resolveVariable("self:service")}-${await resolveVariable("sls:stage")}-idempotency`;
};
