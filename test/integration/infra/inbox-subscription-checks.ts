import { evaluateDeployment, paramsOf } from "./bicep-deployment.js";
import { type DeployedResource, type Deployment, field, show, Unknown, type Value } from "./bicep-values.js";

export interface InboxSubscriptionInput {
  /** infra/inbox-subscription.bicep */
  file: string;
  stage1: Deployment;
  app: DeployedResource;
  topic: DeployedResource;
  inboxContainer: string;
  inboxFunction: string;
}

/**
 * Stage 2: deployed as docs/deploy.md says, with main.bicep's outputs as parameters of the same name
 * and the blobs_extension key as a secure parameter, the subscription must deliver BlobCreated events
 * under the inbox container to the app's blob trigger webhook.
 */
export function checkInboxSubscription(input: InboxSubscriptionInput, problems: string[]): void {
  const at = "inbox-subscription.bicep";
  const params = paramsOf(input.file);
  const values: Record<string, Value> = {};
  const secure = params.filter((p) => p.decorators.some((d) => d.name === "secure")).map((p) => p.name);
  for (const param of params) {
    const output = input.stage1.outputs[param.name];
    if (output !== undefined) values[param.name] = output;
    else if (!param.default && !secure.includes(param.name)) {
      problems.push(
        `${at}: parameter '${param.name}' is neither an output of main.bicep nor secure nor defaulted`,
      );
    }
  }
  if (secure.length !== 1)
    problems.push(
      `${at}: expected one @secure() parameter (the blobs_extension key), found ${secure.length}`,
    );
  const stage2 = evaluateDeployment(input.file, values);
  const subscriptions = stage2.resources.filter(
    (r) => r.type === "Microsoft.EventGrid/systemTopics/eventSubscriptions",
  );
  const subscription = subscriptions.find((r) => r.fullName.startsWith(`${input.topic.fullName}/`));
  if (!subscription) {
    problems.push(`${at}: no event subscription on the system topic of main.bicep (${input.topic.fullName})`);
    return;
  }
  const props = subscription.body.properties;
  const types = field(field(props, "filter"), "includedEventTypes");
  if (!Array.isArray(types) || !types.includes("Microsoft.Storage.BlobCreated")) {
    problems.push(`${at}: the subscription must include Microsoft.Storage.BlobCreated events`);
  }
  const subject = `/blobServices/default/containers/${input.inboxContainer}/`;
  const begins = field(field(props, "filter"), "subjectBeginsWith");
  if (typeof begins !== "string" || !begins.startsWith(subject)) {
    problems.push(`${at}: subjectBeginsWith must start with '${subject}', got '${show(begins ?? null)}'`);
  }
  const destination = field(props, "destination");
  const url = show(field(field(destination, "properties"), "endpointUrl") ?? null);
  const host = show(new Unknown(`${input.app.key}.properties.defaultHostName`));
  const expected = `https://⟨${host}⟩/runtime/webhooks/blobs?functionName=Host.Functions.${input.inboxFunction}&code=⟨param:${secure[0] ?? "?"}⟩`;
  if (field(destination, "endpointType") !== "WebHook" || url !== expected) {
    problems.push(`${at}: the subscription must deliver to the blob trigger webhook ${expected}, got ${url}`);
  }
}
