import { z } from "zod";
import { type ApiClient, readAnswer } from "./api-client.js";

const segment = encodeURIComponent;

/** The REST routes the CLI calls (docs/rest.md). */
export const routes = {
  endpoints: "/api/batch-endpoints",
  endpoint: (name: string) => `/api/batch-endpoints/${segment(name)}`,
  deployments: (endpoint: string) => `/api/batch-endpoints/${segment(endpoint)}/deployments`,
  deployment: (endpoint: string, name: string) =>
    `/api/batch-endpoints/${segment(endpoint)}/deployments/${segment(name)}`,
  invoke: (endpoint: string) => `/api/batch-endpoints/${segment(endpoint)}/jobs`,
  jobs: "/api/jobs",
  job: (name: string) => `/api/jobs/${segment(name)}`,
  jobCancel: (name: string) => `/api/jobs/${segment(name)}/cancel`,
  jobRerun: (name: string) => `/api/jobs/${segment(name)}/rerun`,
  jobLogs: (name: string) => `/api/jobs/${segment(name)}/logs`,
  jobOutputs: (name: string) => `/api/jobs/${segment(name)}/outputs`,
  assets: (kind: "models" | "data") => `/api/${kind}`,
  assetVersions: (kind: "models" | "data", name: string) => `/api/${kind}/${segment(name)}/versions`,
  assetVersion: (kind: "models" | "data", name: string, version: string) =>
    `/api/${kind}/${segment(name)}/versions/${segment(version)}`,
  datastores: "/api/datastores",
  datastore: (name: string) => `/api/datastores/${segment(name)}`,
  computes: "/api/computes",
  compute: (name: string) => `/api/computes/${segment(name)}`,
  runtimes: "/api/runtimes",
};

const pageSchema = z.object({ value: z.array(z.unknown()), nextLink: z.string().nullish() });

/** Every element of an Azure-style list (`{value, nextLink}`), following `nextLink`, up to `max`. */
export async function listAll(
  api: ApiClient,
  path: string,
  options: { query?: Record<string, string | undefined>; max?: number } = {},
): Promise<unknown[]> {
  const items: unknown[] = [];
  let next: string | undefined = path;
  let query = options.query;
  while (next !== undefined && (options.max === undefined || items.length < options.max)) {
    const page: z.infer<typeof pageSchema> = readAnswer(
      pageSchema,
      (await api.send({ path: next, query })).body,
      `the list ${path}`,
    );
    items.push(...page.value);
    next = page.nextLink ?? undefined;
    query = undefined;
  }
  return options.max === undefined ? items : items.slice(0, options.max);
}
