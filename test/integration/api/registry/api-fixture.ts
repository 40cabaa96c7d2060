import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { HttpRequest, type HttpResponseInit, InvocationContext } from "@azure/functions";
import { expect } from "vitest";
import { z } from "zod";
import {
  createRegistryApi,
  type RegistryApi,
  registryRoutes,
} from "../../../../src/api/registry/registry-api.js";
import { createUploadSigner } from "../../../../src/api/registry/upload-signer.js";
import type { Config } from "../../../../src/config.js";
import { createRegistry, type Registry } from "../../../../src/registry/registry.js";
import type { StorageClients } from "../../../../src/storage/clients.js";
import { testClients, testConfig } from "../../../support/storage.js";

const here = dirname(fileURLToPath(import.meta.url));
/** A folder of test/fixtures. */
export const fixturePath = (...parts: string[]): string => join(here, "..", "..", "..", "fixtures", ...parts);

export interface CallOptions {
  body?: unknown;
  /** Sent as it is when a string; objects are sent as JSON. */
  contentType?: string;
  headers?: Record<string, string>;
}

/** A handler's answer, with its JSON body as a plain record. */
export interface ApiResponse {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/** Everything the registry holds, to compare before and after a refused request. */
export interface RegistrySnapshot {
  endpoints: string[];
  deployments: string[];
  models: string[];
  data: string[];
  datastores: string[];
  artifactBlobs: string[];
}

export interface ApiWorld {
  config: Config;
  clients: StorageClients;
  registry: Registry;
  api: RegistryApi;
  workDir: string;
  /** Calls the handler that `registryRoutes` maps `method path` to, in process. */
  call(method: string, path: string, options?: CallOptions): Promise<ApiResponse>;
  snapshot(): Promise<RegistrySnapshot>;
  /** Uploads a fixture folder as an artifact (directly through the registry) and returns its URI. */
  artifact(folder: string): Promise<string>;
  close(): Promise<void>;
}

/** The registry API over a fresh registry on the test Azurite. */
export async function apiWorld(options: { maxArtifactBytes?: number } = {}): Promise<ApiWorld> {
  const config = testConfig();
  const clients = testClients(config);
  const registry = createRegistry({ clients, config });
  await registry.ensureRegistry();
  const workDir = await mkdtemp(join(tmpdir(), "batchfn-api-"));
  const api = createRegistryApi({
    registry,
    workDir,
    pythonInterpreter: config.python.interpreter,
    signer: createUploadSigner({ blob: clients.blob }),
    artifactsContainer: config.containers.artifacts,
    maxArtifactBytes: options.maxArtifactBytes,
  });
  const artifacts = clients.blob.getContainerClient(config.containers.artifacts);

  return {
    config,
    clients,
    registry,
    api,
    workDir,
    async call(method, path, callOptions = {}) {
      const [pathname = "", query] = path.split("?");
      const { handler, params } = resolveRoute(method, pathname);
      const headers: Record<string, string> = { ...callOptions.headers };
      let body: { string: string } | undefined;
      if (callOptions.body !== undefined) {
        const text =
          typeof callOptions.body === "string" ? callOptions.body : JSON.stringify(callOptions.body);
        body = { string: text };
        headers["content-type"] = callOptions.contentType ?? "application/json";
      }
      const request = new HttpRequest({
        method,
        url: `http://127.0.0.1:7071/api/${pathname}${query ? `?${query}` : ""}`,
        params,
        headers,
        body,
      });
      return toApiResponse(await api[handler](request, new InvocationContext()));
    },
    async snapshot() {
      const endpoints = await registry.endpoints.list();
      const deployments = await Promise.all(endpoints.map((e) => registry.deployments.list(e.resource.name)));
      const blobs: string[] = [];
      for await (const blob of artifacts.listBlobsFlat()) blobs.push(`${blob.name} ${blob.properties.etag}`);
      return {
        endpoints: endpoints.map((r) => `${r.resource.name} ${r.etag}`),
        deployments: deployments
          .flat()
          .map((r) => `${r.resource.endpoint_name}/${r.resource.name} ${r.etag}`),
        models: (await registry.models.list()).map(
          (r) => `${r.resource.name}:${r.resource.version} ${r.etag}`,
        ),
        data: (await registry.data.list()).map((r) => `${r.resource.name}:${r.resource.version} ${r.etag}`),
        datastores: (await registry.datastores.list()).map((r) => `${r.resource.name} ${r.etag}`),
        artifactBlobs: blobs.sort(),
      };
    },
    async artifact(folder) {
      const root = fixturePath(folder);
      const entries = (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) =>
        e.isFile(),
      );
      const files = await Promise.all(
        entries.map(async (entry) => {
          const full = join(entry.parentPath, entry.name);
          return { path: relative(root, full).split(sep).join("/"), content: await readFile(full) };
        }),
      );
      return (await registry.putArtifact(files)).uri;
    },
    close: () => rm(workDir, { recursive: true, force: true }),
  };
}

/** Finds the route of `registryRoutes` that serves `method path`, with its parameters. */
function resolveRoute(
  method: string,
  path: string,
): { handler: keyof RegistryApi; params: Record<string, string> } {
  const segments = path.split("/");
  for (const route of registryRoutes) {
    if (!route.methods.includes(method as (typeof route.methods)[number])) continue;
    const template = route.route.split("/");
    if (template.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = template.every((part, index) => {
      const segment = segments[index] ?? "";
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name === undefined) return part === segment;
      params[name] = decodeURIComponent(segment);
      return segment !== "";
    });
    if (matches) return { handler: route.handler, params };
  }
  throw new Error(`no registry route serves ${method} ${path}`);
}

function toApiResponse(response: HttpResponseInit): ApiResponse {
  const body = response.jsonBody;
  return {
    status: response.status ?? 200,
    body: typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {},
    headers: (response.headers ?? {}) as Record<string, string>,
  };
}

const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string().optional(), message: z.string() })),
  }),
});

/**
 * Sends a request that must be refused: checks the status and error code, and that the registry
 * (tables and artifact blobs) is exactly as it was. Returns the error for further checks.
 */
export async function expectRefused(
  world: ApiWorld,
  request: { method: string; path: string } & CallOptions,
  status: number,
  code: string,
): Promise<z.infer<typeof errorBody>["error"]> {
  const before = await world.snapshot();
  const response = await world.call(request.method, request.path, request);
  const parsed = errorBody.parse(response.body);
  expect({ status: response.status, code: parsed.error.code }, parsed.error.message).toEqual({
    status,
    code,
  });
  expect(await world.snapshot()).toEqual(before);
  return parsed.error;
}

/** A JSON list answer's items. */
export function items(response: ApiResponse): Record<string, unknown>[] {
  return z.array(z.record(z.string(), z.unknown())).parse(response.body.value);
}
