import { errors } from "../../errors.js";
import { kindLabels } from "../../registry/record.js";
import type { IssuedKeys, Registry, RegistryRecord } from "../../registry/registry.js";
import type { ParsedEndpoint } from "../../spec/endpoint.schema.js";
import { parseEndpointDocument } from "../../spec/endpoint.schema.js";
import type { Deployment, Endpoint } from "../../spec/resources.js";
import { baseUrl, type Handler, handle } from "../http.js";
import { type CheckedDeployment, checkParsedDeployment } from "./check-deployment.js";
import type { RegistryApiDependencies } from "./dependencies.js";
import { readDocumentBody } from "./document-body.js";
import { checkIfMatch, findRecord, readIfMatch } from "./preconditions.js";
import { requireRemoteDeployment } from "./remote-paths.js";
import { endpointView, listResponse, recordResponse } from "./resource-views.js";
import { routeName } from "./route-params.js";
import { requireInlineModelsFree, storeDeployment } from "./store-deployment.js";

/** `PUT|GET|DELETE batch-endpoints/{name}` and `GET batch-endpoints`. */
export interface EndpointHandlers {
  put: Handler;
  get: Handler;
  delete: Handler;
  list: Handler;
}

/**
 * The batch endpoint handlers. PUT creates (201) or replaces (200) an endpoint from a v2 or 2021
 * document; replacing keeps its deployments. The 2021 form's inline deployments are checked and
 * stored too, and `defaults.deployment_name` (or `traffic: {d: 100}`) switches the default, which
 * must name a deployment that exists or is created by the same request. Everything that can be
 * refused is checked before anything is written. An endpoint that comes to `auth_mode: key`
 * without keys gets them, shown in this answer only (`keys`); one that leaves it loses them.
 */
export function createEndpointHandlers(deps: RegistryApiDependencies): EndpointHandlers {
  const { registry } = deps;
  const kind = kindLabels.endpoint;

  const put: Handler = async (request) => {
    const name = routeName(request, "name", "resource");
    const ifMatch = readIfMatch(request);
    const parsed = parseEndpointDocument(await readDocumentBody(request, { name }));
    for (const inline of parsed.deployments) {
      requireRemoteDeployment(inline, `deployments.${inline.deployment.name}`);
    }
    const existing = await findRecord(registry.endpoints.show(name));
    const etag = checkIfMatch(ifMatch, existing, kind, name);
    const present = existing ? await registry.deployments.list(name) : [];
    const checked: CheckedDeployment[] = [];
    for (const inline of parsed.deployments) checked.push(await checkParsedDeployment(inline, deps));
    const wanted = requireDefaultCandidate(parsed, present, checked);
    await requireInlineModelsFree(registry, checked);

    const { defaults: _defaults, ...fields } = parsed.endpoint;
    let record: RegistryRecord<Endpoint> = existing
      ? await registry.endpoints.update(name, (current) => ({ ...fields, defaults: current.defaults }), {
          ifMatch: etag,
        })
      : await registry.endpoints.create(fields);
    for (const deployment of checked) {
      const replaced = present.find((p) => p.resource.name === deployment.deployment.name);
      await storeDeployment(registry, deployment, { existing: replaced });
    }
    if (wanted !== undefined) record = await registry.endpoints.setDefaultDeployment(name, wanted);
    else if (checked.length > 0) record = await registry.endpoints.show(name);
    const warnings = checked.flatMap((deployment) => deployment.warnings);
    const keys = await settleKeys(registry, record.resource);
    return recordResponse(existing ? 200 : 201, record, endpointView(record, baseUrl(request)), {
      warnings,
      ...(keys ? { keys } : {}),
    });
  };

  return {
    put: handle(put),
    get: handle(async (request) => {
      const record = await registry.endpoints.show(routeName(request, "name", "resource"));
      return recordResponse(200, record, endpointView(record, baseUrl(request)));
    }),
    delete: handle(async (request) => {
      await registry.endpoints.delete(routeName(request, "name", "resource"));
      return { status: 204 };
    }),
    list: handle(async (request) => {
      const base = baseUrl(request);
      return listResponse((await registry.endpoints.list()).map((record) => endpointView(record, base)));
    }),
  };
}

/**
 * The default the document asks for, if any: it must be one of the endpoint's deployments or of
 * those the document creates (`InvalidReference` otherwise).
 */
function requireDefaultCandidate(
  parsed: ParsedEndpoint,
  present: readonly RegistryRecord<Deployment>[],
  created: readonly CheckedDeployment[],
): string | undefined {
  const wanted = parsed.endpoint.defaults.deployment_name;
  if (wanted === undefined) return undefined;
  const names = [
    ...present.map((record) => record.resource.name),
    ...created.map((checked) => checked.deployment.name),
  ];
  if (names.includes(wanted)) return wanted;
  throw errors.invalidReference(
    `defaults.deployment_name (or traffic) names batch deployment '${wanted}', which does not exist in endpoint '${parsed.endpoint.name}'; create the deployment first (the first deployment of an endpoint becomes its default), or list it inline.`,
  );
}

/** Makes the keys of a `key` endpoint that has none (returned once), or drops those of a token endpoint. */
async function settleKeys(registry: Registry, endpoint: Endpoint): Promise<IssuedKeys | undefined> {
  if (endpoint.auth_mode === "key") return registry.endpointKeys.issue(endpoint.name);
  await registry.endpointKeys.revoke(endpoint.name);
  return undefined;
}
