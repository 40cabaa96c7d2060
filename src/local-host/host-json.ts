import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { ensureError, errors } from "../errors.js";

const hostJsonSchema = z.looseObject({
  version: z.string().default("2.0"),
  extensions: z
    .looseObject({
      http: z.looseObject({ routePrefix: z.string().optional() }).optional(),
      durableTask: z.record(z.string(), z.unknown()).optional(),
      blobs: z.looseObject({ maxDegreeOfParallelism: z.number().int().min(1).optional() }).optional(),
    })
    .default({}),
});

/** The parts of `host.json` the local host reads; every other key is kept as written. */
export type HostJson = z.infer<typeof hostJsonSchema>;

/** Reads `host.json` of an app directory; a missing file means every default. */
export async function readHostJson(appDir: string): Promise<HostJson> {
  const file = join(appDir, "host.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (thrown) {
    if (isMissingFile(thrown)) return hostJsonSchema.parse({});
    throw thrown;
  }
  return parseHostJson(text, file);
}

/** Parses the text of a `host.json`; problems name the file and the key. */
export function parseHostJson(text: string, file = "host.json"): HostJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (thrown) {
    const message = ensureError(thrown).message;
    throw errors.invalidConfig(`${file} is not valid JSON: ${message}`, [{ path: file, message }]);
  }
  const parsed = hostJsonSchema.safeParse(json);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => {
      const path = issue.path.map(String).join(".");
      return { path, message: `${file} ${path}: ${issue.message}` };
    });
    throw errors.invalidConfig(`Invalid ${file}: ${details.map((d) => d.message).join("; ")}`, details);
  }
  return parsed.data;
}

/** The HTTP route prefix: `extensions.http.routePrefix` without surrounding slashes, default "api". */
export function routePrefixOf(hostJson: HostJson): string {
  return (hostJson.extensions.http?.routePrefix ?? "api").replace(/^\/+|\/+$/g, "");
}

/** True when a file system error says the file does not exist. */
export function isMissingFile(thrown: unknown): boolean {
  return thrown instanceof Error && "code" in thrown && thrown.code === "ENOENT";
}
