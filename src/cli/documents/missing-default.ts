import { z } from "zod";
import { BatchfnError } from "../../errors.js";
import { isMapping } from "../../spec/fields.js";
import { listAll, routes } from "../api/routes.js";
import type { CliContext } from "../cli-context.js";

const named = z.object({ name: z.string() });

/**
 * The server refuses an endpoint whose default (`defaults.deployment_name`, or the 2021 `traffic`
 * at 100) names a deployment it does not have, and an endpoint file usually names the deployment
 * created after it. So, when the document lists no deployments inline and the endpoint does not
 * have that deployment yet, the default is left out and the CLI says so: the endpoint's first
 * deployment becomes its default, and `--set-default` switches it later.
 */
export async function dropMissingDefault(
  context: CliContext,
  document: Record<string, unknown>,
  endpoint: string,
): Promise<void> {
  if (document.deployments !== undefined) return;
  const defaults = isMapping(document.defaults) ? document.defaults : undefined;
  const traffic = isMapping(document.traffic) ? document.traffic : undefined;
  const wanted =
    (typeof defaults?.deployment_name === "string" ? defaults.deployment_name : undefined) ??
    Object.entries(traffic ?? {}).find(([, share]) => share === 100)?.[0];
  if (wanted === undefined) return;
  if ((await deploymentNames(context, endpoint)).includes(wanted)) return;
  if (defaults) {
    delete defaults.deployment_name;
    if (Object.keys(defaults).length === 0) delete document.defaults;
  }
  delete document.traffic;
  context.note(
    `Batch endpoint '${endpoint}' has no deployment '${wanted}' yet, so it is created without a default deployment; its first deployment becomes the default (or create '${wanted}' with: batchfn batch-deployment create --endpoint-name ${endpoint} --file <file> --set-default).`,
  );
}

async function deploymentNames(context: CliContext, endpoint: string): Promise<string[]> {
  try {
    const items = await listAll(context.api, routes.deployments(endpoint));
    return items
      .map((item) => named.safeParse(item))
      .flatMap((item) => (item.success ? [item.data.name] : []));
  } catch (thrown) {
    if (thrown instanceof BatchfnError && thrown.status === 404) return [];
    throw thrown;
  }
}
