import type { HttpResponseInit } from "@azure/functions";
import type { RegistryRecord } from "../../registry/registry.js";
import type { Compute } from "../../spec/compute.schema.js";
import type { DataAsset, Datastore, Deployment, Endpoint, Model } from "../../spec/resources.js";
import { json } from "../http.js";

/**
 * How the API shows registry resources: the canonical resource, plus the read-only fields Azure ML
 * shows (`id`, `provisioning_state`, `scoring_uri`) and the record's timestamps. The ETag goes in
 * the `ETag` header.
 */

type View = Record<string, unknown>;

const timestamps = (record: RegistryRecord<unknown>) => ({
  created_at: record.created_at,
  updated_at: record.updated_at,
});

/** An endpoint, with its scoring URI (`<base>/api/batch-endpoints/<name>/jobs`). */
export function endpointView(record: RegistryRecord<Endpoint>, base: string): View {
  const { name } = record.resource;
  return {
    ...record.resource,
    id: `/batch-endpoints/${name}`,
    scoring_uri: `${base}/api/batch-endpoints/${name}/jobs`,
    provisioning_state: "Succeeded",
    ...timestamps(record),
  };
}

export function deploymentView(record: RegistryRecord<Deployment>): View {
  const { endpoint_name, name } = record.resource;
  return {
    ...record.resource,
    id: `/batch-endpoints/${endpoint_name}/deployments/${name}`,
    provisioning_state: "Succeeded",
    ...timestamps(record),
  };
}

/** A model or data asset version; `collection` is its route (`models`, `data`). */
export function assetView(collection: string, record: RegistryRecord<Model | DataAsset>): View {
  const { name, version } = record.resource;
  return { ...record.resource, id: `/${collection}/${name}/versions/${version}`, ...timestamps(record) };
}

export function datastoreView(record: RegistryRecord<Datastore>): View {
  return { ...record.resource, id: `/datastores/${record.resource.name}`, ...timestamps(record) };
}

/** A compute target, with Azure ML's read-only fields. */
export function computeView(record: RegistryRecord<Compute>): View {
  return {
    ...record.resource,
    id: `/computes/${record.resource.name}`,
    provisioning_state: "Succeeded",
    ...timestamps(record),
  };
}

/** One resource as a response, with its `ETag`. */
export function recordResponse(
  status: number,
  record: RegistryRecord<unknown>,
  view: View,
  extra: View = {},
): HttpResponseInit {
  return json(status, { ...view, ...extra }, { etag: record.etag });
}

/** A list, Azure style: `{ "value": [...] }`. */
export function listResponse(views: View[]): HttpResponseInit {
  return json(200, { value: views });
}
