// Resolved by serverless.yml (${file(./deploy/region-guard.cjs):region}) before anything is built.
// IAM and root sign-in events reach EventBridge only in us-east-1: a stack elsewhere would
// deploy cleanly and never see a single IAM event. Refuse, unless the user opted in because
// they forward those events from us-east-1 to this region's bus (see README).
module.exports.region = async ({ options }) => {
  const region = options.region || "us-east-1";
  const optIn = String(options.param || "").includes("allowRegion=true") || process.env.TRAILGUARD_ALLOW_REGION === "true";
  if (region !== "us-east-1" && !optIn) {
    throw new Error(
      `trailguard must be deployed in us-east-1: IAM and root sign-in events reach EventBridge only there, ` +
        `so a stack in ${region} would never alert. If you forward them from a us-east-1 rule to the ` +
        `default event bus of ${region}, deploy with --param="allowRegion=true" (see README, "Deploying outside us-east-1").`,
    );
  }
  return region;
};
