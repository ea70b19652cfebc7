// Lambda bundles only: replaces @smithy/core/event-streams (~15 KiB), which every SDK client's
// protocol loads on demand for operations that stream events. None of trailguard's clients (IAM,
// STS, SNS, SQS, DynamoDB) has one; should one ever ask, it fails loudly.
const refuse = () => {
  throw new Error("event streams are not bundled into trailguard's functions");
};
export const eventStreamSerdeProvider = refuse;
export class EventStreamSerde {
  constructor() {
    refuse();
  }
}
