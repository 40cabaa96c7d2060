import { createHash } from "node:crypto";
import type { Config } from "../../config.js";
import { BatchfnError, errors } from "../../errors.js";
import type { Registry } from "../../registry/registry.js";
import type { JobRunner } from "../job-runner.js";
import { buildJobSpec } from "../job-spec.js";
import type { OutputFolders } from "../output-folders.js";
import type { JobRecords } from "../records/job-records.js";
import type { JobStore } from "../store/job-store.js";
import { submitJob } from "../submit-job.js";

/** Datastores naming the inbox and outbox containers, registered on first use. */
export const INBOX_DATASTORE = "batchfninbox";
export const OUTBOX_DATASTORE = "batchfnoutbox";

export interface InboxBlob {
  /** The blob's name inside the inbox container: `<endpoint>/<path>`. */
  name: string;
  etag: string;
}

export interface InboxDeps {
  config: Config;
  registry: Registry;
  records: JobRecords;
  store: JobStore;
  outputs: OutputFolders;
  runner: JobRunner;
  now?: () => Date;
}

/**
 * A blob written to the inbox under `<endpoint>/<path>` starts a job on that endpoint's default
 * deployment for that one blob, with its output under `<outbox>/<endpoint>/<path>/<job>/`. The job's
 * name comes from the blob's name and ETag, so the same blob version never starts two jobs, however
 * often the trigger fires; a new version of the blob starts a new job with an output folder of its
 * own, and the earlier job's output stays as it was.
 */
export async function startInboxJob(
  blob: InboxBlob,
  deps: InboxDeps,
): Promise<{ job: string; created: boolean }> {
  const slash = blob.name.indexOf("/");
  const endpointName = slash > 0 ? blob.name.slice(0, slash) : "";
  const path = slash > 0 ? blob.name.slice(slash + 1) : "";
  if (!endpointName || !path) {
    throw errors.invalidParameter(
      "blob",
      `'${blob.name}' must be written under <endpoint>/<path> in the inbox`,
    );
  }
  const endpointRecord = await deps.registry.endpoints.show(endpointName);
  const endpoint = endpointRecord.resource;
  const deploymentName = endpoint.defaults.deployment_name;
  if (!deploymentName) throw errors.noDefaultDeployment(endpointName);
  const deployment = (await deps.registry.deployments.show(endpointName, deploymentName)).resource;
  const model = (await deps.registry.models.show(deployment.model.name, deployment.model.version)).resource;
  await ensureDatastore(deps.registry, INBOX_DATASTORE, deps.config.containers.inbox);
  await ensureDatastore(deps.registry, OUTBOX_DATASTORE, deps.config.containers.outbox);

  const digest = createHash("sha256").update(`${blob.name}\n${blob.etag}`).digest("hex").slice(0, 16);
  const name = `inbox-${endpointName.toLowerCase()}-${digest}`;
  // Datastore URIs are percent-decoded when read; a blob name is taken as it is ('a%41.csv').
  const literal = (text: string) => text.replaceAll("%", "%25");
  const input = `azureml://datastores/${INBOX_DATASTORE}/paths/${literal(blob.name)}`;
  const spec = buildJobSpec({
    name,
    endpointId: endpointRecord.id,
    now: (deps.now ?? (() => new Date()))(),
    deployment,
    model,
    request: {
      input: { kind: "uri", uri: input, type: "uri_file" },
      outputPath: `azureml://datastores/${OUTBOX_DATASTORE}/paths/${literal(`${endpointName}/${path}`)}/${name}/`,
      overwrite: false,
      overrides: {},
    },
  });
  const { created } = await submitJob({ spec, input, origin: "inbox" }, deps);
  return { job: name, created };
}

async function ensureDatastore(registry: Registry, name: string, container: string): Promise<void> {
  try {
    await registry.datastores.create({ name, container_name: container, description: `batchfn ${name}` });
  } catch (thrown) {
    if (!(thrown instanceof BatchfnError && thrown.code === "AlreadyExists")) throw thrown;
  }
}
