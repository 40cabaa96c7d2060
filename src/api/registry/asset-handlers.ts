import { errors } from "../../errors.js";
import type { Registry, RegistryRecord } from "../../registry/registry.js";
import type { VersionedAssetRegistry } from "../../registry/versioned-assets.js";
import { parseDataDocument } from "../../spec/data.schema.js";
import { parseModelDocument } from "../../spec/model.schema.js";
import type { DataAsset, Model } from "../../spec/resources.js";
import { type Handler, handle } from "../http.js";
import { readDocumentBody } from "./document-body.js";
import { checkIfMatch, findRecord, readIfMatch } from "./preconditions.js";
import { requireRemotePath } from "./remote-paths.js";
import { assetView, listResponse, recordResponse } from "./resource-views.js";
import { routeName } from "./route-params.js";

/** `PUT|GET <collection>/{name}/versions/{version}`, `GET <collection>/{name}/versions`, `GET <collection>`. */
export interface AssetHandlers {
  put: Handler;
  get: Handler;
  listVersions: Handler;
  list: Handler;
}

interface AssetKind<T extends Model | DataAsset> {
  /** The route, also used in ids: `models`, `data`. */
  collection: string;
  label: string;
  assets: VersionedAssetRegistry<T, unknown>;
  parse(document: unknown): { asset: T; warnings: string[] };
}

/** Model versions (`models/...`). */
export function createModelHandlers(deps: { registry: Registry }): AssetHandlers {
  return createAssetHandlers<Model>({
    collection: "models",
    label: "Model",
    assets: deps.registry.models,
    parse: (document) => {
      const { model, warnings } = parseModelDocument(document);
      return { asset: model, warnings };
    },
  });
}

/** Data asset versions (`data/...`). */
export function createDataHandlers(deps: { registry: Registry }): AssetHandlers {
  return createAssetHandlers<DataAsset>({
    collection: "data",
    label: "Data asset",
    assets: deps.registry.data,
    parse: (document) => {
      const { data, warnings } = parseDataDocument(document);
      return { asset: data, warnings };
    },
  });
}

/**
 * Handlers of one versioned kind. A `name:version` is immutable: PUT registers it (201), and PUT
 * again may change only its description and tags (200); any other change is `InvalidSpec` naming
 * the fields. `latest` is reserved: it can be read (the newest version) but not written.
 */
function createAssetHandlers<T extends Model | DataAsset>(kind: AssetKind<T>): AssetHandlers {
  const { assets, collection } = kind;
  const view = (record: RegistryRecord<T>) => assetView(collection, record);

  const put: Handler = async (request) => {
    const name = routeName(request, "name", "asset");
    const version = routeName(request, "version", "version");
    if (version === "latest") throw errors.invalidParameter("version", "'latest' is reserved for reading");
    const ifMatch = readIfMatch(request);
    const { asset, warnings } = kind.parse(await readDocumentBody(request, { name, version }));
    requireRemotePath("path", asset.path);
    const existing = await findRecord(assets.show(name, version));
    const etag = checkIfMatch(ifMatch, existing, kind.label, `${name}:${version}`);
    const record = existing
      ? await assets.update(name, version, () => asset, { ifMatch: etag })
      : await assets.create(asset);
    return recordResponse(existing ? 200 : 201, record, view(record), { warnings });
  };

  return {
    put: handle(put),
    get: handle(async (request) => {
      const name = routeName(request, "name", "asset");
      const record = await assets.show(name, routeName(request, "version", "version"));
      return recordResponse(200, record, view(record));
    }),
    listVersions: handle(async (request) => {
      const name = routeName(request, "name", "asset");
      const records = await assets.list(name);
      if (records.length === 0) throw errors.notFound(kind.label, name);
      return listResponse(records.map(view));
    }),
    list: handle(async () => listResponse((await assets.list()).map(view))),
  };
}
