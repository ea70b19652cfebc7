// Resolved by serverless.yml: the optional e-mail subscription, present only when an address is
// given (--param="alertEmail=oncall@example.com"), so the template carries no dead condition.
module.exports.subscription = async ({ resolveVariable }) => {
  const email = String((await resolveVariable("param:alertEmail")) || "").trim();
  if (email === "") return { Resources: {} };
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new Error(`alertEmail "${email}" is not an e-mail address`);
  return {
    Resources: {
      AlertEmailSubscription: {
        Type: "AWS::SNS::Subscription",
        Properties: { TopicArn: { Ref: "AlertTopic" }, Protocol: "email", Endpoint: email },
      },
    },
  };
};
