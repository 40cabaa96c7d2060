import { kindLabels } from "../../registry/record.js";
import type { Registry } from "../../registry/registry.js";
import { parseComputeDocument } from "../../spec/compute.schema.js";
import { isMapping } from "../../spec/fields.js";
import { type Handler, handle } from "../http.js";
import { readDocumentBody } from "./document-body.js";
import { checkIfMatch, findRecord, readIfMatch } from "./preconditions.js";
import { computeView, listResponse, recordResponse } from "./resource-views.js";
import { routeName } from "./route-params.js";

/** `PUT|GET|DELETE computes/{name}` and `GET computes`. */
export interface ComputeHandlers {
  put: Handler;
  get: Handler;
  delete: Handler;
  list: Handler;
}

/**
 * The compute handlers: PUT creates (201) or replaces (200) an AmlCompute from its YAML or JSON
 * document, answering the keys it does not use in `warnings`. Deployments and jobs that name a
 * compute are bounded by its `max_instances` when they are created or invoked.
 */
export function createComputeHandlers(deps: { registry: Registry }): ComputeHandlers {
  const { computes } = deps.registry;
  const kind = kindLabels.compute;

  const put: Handler = async (request) => {
    const name = routeName(request, "name", "compute");
    const ifMatch = readIfMatch(request);
    const body = await readDocumentBody(request, { name });
    const { compute, warnings } = parseComputeDocument(withoutShownFields(body));
    const existing = await findRecord(computes.show(name));
    const etag = checkIfMatch(ifMatch, existing, kind, name);
    const record = existing
      ? await computes.update(name, () => compute, { ifMatch: etag })
      : await computes.create(compute);
    return recordResponse(existing ? 200 : 201, record, computeView(record), { warnings });
  };

  return {
    put: handle(put),
    get: handle(async (request) => {
      const record = await computes.show(routeName(request, "name", "compute"));
      return recordResponse(200, record, computeView(record));
    }),
    delete: handle(async (request) => {
      await computes.delete(routeName(request, "name", "compute"));
      return { status: 204 };
    }),
    list: handle(async () => listResponse((await computes.list()).map(computeView))),
  };
}

/** A compute as shown lists what it does not use (`not_used`); sent back, that list is made again. */
function withoutShownFields(body: unknown): unknown {
  if (!isMapping(body)) return body;
  const { not_used: _shown, ...rest } = body;
  return rest;
}
