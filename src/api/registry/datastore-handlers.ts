import { kindLabels } from "../../registry/record.js";
import type { Registry } from "../../registry/registry.js";
import { parseDatastoreDocument } from "../../spec/datastore.schema.js";
import { type Handler, handle } from "../http.js";
import { readDocumentBody } from "./document-body.js";
import { checkIfMatch, findRecord, readIfMatch } from "./preconditions.js";
import { datastoreView, listResponse, recordResponse } from "./resource-views.js";
import { routeName } from "./route-params.js";

/** `PUT|GET|DELETE datastores/{name}` and `GET datastores`. */
export interface DatastoreHandlers {
  put: Handler;
  get: Handler;
  delete: Handler;
  list: Handler;
}

/**
 * The datastore handlers: PUT creates (201) or replaces (200). The built-in `workspaceblobstore`
 * and `workspaceartifactstore` keep pointing at the app's containers (only their description and
 * tags change) and cannot be deleted (`ProtectedResource`).
 */
export function createDatastoreHandlers(deps: { registry: Registry }): DatastoreHandlers {
  const { datastores } = deps.registry;
  const kind = kindLabels.datastore;

  const put: Handler = async (request) => {
    const name = routeName(request, "name", "asset");
    const ifMatch = readIfMatch(request);
    const { datastore, warnings } = parseDatastoreDocument(await readDocumentBody(request, { name }));
    const existing = await findRecord(datastores.show(name));
    const etag = checkIfMatch(ifMatch, existing, kind, name);
    const record = existing
      ? await datastores.update(name, () => datastore, { ifMatch: etag })
      : await datastores.create(datastore);
    return recordResponse(existing ? 200 : 201, record, datastoreView(record), { warnings });
  };

  return {
    put: handle(put),
    get: handle(async (request) => {
      const record = await datastores.show(routeName(request, "name", "asset"));
      return recordResponse(200, record, datastoreView(record));
    }),
    delete: handle(async (request) => {
      await datastores.delete(routeName(request, "name", "asset"));
      return { status: 204 };
    }),
    list: handle(async () => listResponse((await datastores.list()).map(datastoreView))),
  };
}
