// Resolved by serverless.yml: the optional e-mail subscription, present only when an address is
// given (--param="alertEmail=oncall@example.com"), so the template carries no dead condition.
// It pages: only an incident's pages reach it (its first alert, and any whose severity rises),
// not the updates in between (--param="alertEmailUpdates=true" sends those too).
module.exports.subscription = async ({ resolveVariable }) => {
  const email = String((await resolveVariable("param:alertEmail")) || "").trim();
  if (email === "") return { Resources: {} };
  const updates = String((await resolveVariable("param:alertEmailUpdates")) || "false").trim() === "true";
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new Error(`alertEmail "${email}" is not an e-mail address`);
  return {
    Resources: {
      AlertEmailSubscription: {
        Type: "AWS::SNS::Subscription",
        Properties: {
          TopicArn: { Ref: "AlertTopic" },
          Protocol: "email",
          Endpoint: email,
          ...(updates ? {} : { FilterPolicyScope: "MessageAttributes", FilterPolicy: { alertKind: ["page"] } }),
        },
      },
    },
  };
};
