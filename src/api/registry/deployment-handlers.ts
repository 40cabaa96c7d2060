import { errors } from "../../errors.js";
import { kindLabels } from "../../registry/record.js";
import { parseDeploymentDocument } from "../../spec/deployment.schema.js";
import { isMapping } from "../../spec/fields.js";
import { type Handler, handle } from "../http.js";
import { checkParsedDeployment } from "./check-deployment.js";
import type { RegistryApiDependencies } from "./dependencies.js";
import { readDocumentBody } from "./document-body.js";
import { checkIfMatch, findRecord, readIfMatch } from "./preconditions.js";
import { requireRemoteDeployment } from "./remote-paths.js";
import { deploymentView, listResponse, recordResponse } from "./resource-views.js";
import { queryFlag, routeName } from "./route-params.js";
import { requireInlineModelsFree, storeDeployment } from "./store-deployment.js";

/** `PUT|GET|DELETE batch-endpoints/{name}/deployments/{deployment}` and `GET .../deployments`. */
export interface DeploymentHandlers {
  put: Handler;
  get: Handler;
  delete: Handler;
  list: Handler;
}

/**
 * The batch deployment handlers. PUT creates (201) or replaces (200) a deployment from a v2 or
 * 2021 document whose model and code are URIs, after checking that it runs; `?set_default=true`
 * makes it the default. Deleting the default deployment is refused (`DeploymentIsDefault`): checked
 * on the endpoint as read first, so a plain refusal writes nothing, and again by the registry.
 */
export function createDeploymentHandlers(deps: RegistryApiDependencies): DeploymentHandlers {
  const { registry } = deps;
  const kind = kindLabels.deployment;
  const names = (request: Parameters<Handler>[0]) => ({
    endpoint: routeName(request, "name", "resource"),
    deployment: routeName(request, "deployment", "resource"),
  });

  const put: Handler = async (request) => {
    const { endpoint, deployment } = names(request);
    const setDefault = queryFlag(request, "set_default");
    const ifMatch = readIfMatch(request);
    const body = await readDocumentBody(request, { name: deployment, endpoint_name: endpoint });
    const parsed = parseDeploymentDocument(liftAcceptedNotUsed(body), { endpointName: endpoint });
    requireRemoteDeployment(parsed);
    await registry.endpoints.show(endpoint);
    const existing = await findRecord(registry.deployments.show(endpoint, deployment));
    const etag = checkIfMatch(ifMatch, existing, kind, `${endpoint}/${deployment}`);
    const checked = await checkParsedDeployment(parsed, deps);
    await requireInlineModelsFree(registry, [checked]);
    const { record, created } = await storeDeployment(registry, checked, {
      existing,
      ifMatch: etag,
      setDefault,
    });
    return recordResponse(created ? 201 : 200, record, deploymentView(record), {
      warnings: checked.warnings,
    });
  };

  return {
    put: handle(put),
    get: handle(async (request) => {
      const { endpoint, deployment } = names(request);
      const record = await registry.deployments.show(endpoint, deployment);
      return recordResponse(200, record, deploymentView(record));
    }),
    delete: handle(async (request) => {
      const { endpoint, deployment } = names(request);
      const current = await registry.endpoints.show(endpoint);
      if (current.resource.defaults.deployment_name === deployment) {
        throw errors.deploymentIsDefault(endpoint, deployment);
      }
      await registry.deployments.delete(endpoint, deployment);
      return { status: 204 };
    }),
    list: handle(async (request) => {
      const records = await registry.deployments.list(routeName(request, "name", "resource"));
      return listResponse(records.map(deploymentView));
    }),
  };
}

/**
 * A deployment as shown keeps its Python-only keys under `accepted_not_used`; sent back, they go
 * where they were written, so a shown deployment can be PUT as it is.
 */
function liftAcceptedNotUsed(body: unknown): unknown {
  if (!isMapping(body) || !isMapping(body.accepted_not_used)) return body;
  const { accepted_not_used: kept, ...rest } = body;
  return { ...kept, ...rest };
}
