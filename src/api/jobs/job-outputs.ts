import { Readable } from "node:stream";
import { errors } from "../../errors.js";
import { ioName, SCORE_OUTPUT } from "../../spec/job-io.schema.js";
import { isNotFound } from "../../storage/storage-error.js";
import { baseUrl, type Handler, handle, json, param } from "../http.js";
import { routeName } from "../registry/route-params.js";
import { jobOutputFolder } from "./job-output-folder.js";
import type { JobsApiDeps } from "./jobs-api-deps.js";

/**
 * `GET /api/jobs/{job}/outputs`: the files under the job's output folder, each with a download URL
 * served by `GET /api/jobs/{job}/outputs/{*path}` (streamed, so large predictions never sit in memory).
 * `?name=<output>` does the same for a named output beyond `score` (the folder a script wrote into).
 */
export function createJobOutputHandlers(deps: JobsApiDeps): { list: Handler; download: Handler } {
  const load = async (name: string) => {
    const record = await deps.records.get(name);
    if (!record) throw errors.notFound("Job", name);
    return record;
  };
  return {
    list: handle(async (request) => {
      const record = await load(routeName(request, "job", "job"));
      const name = outputName(request);
      const { location, container } = await jobOutputFolder(record, deps, name);
      const self = `${baseUrl(request)}/api/jobs/${encodeURIComponent(record.name)}/outputs`;
      const query = name === SCORE_OUTPUT ? "" : `?name=${encodeURIComponent(name)}`;
      const files = [];
      try {
        for await (const blob of container.listBlobsFlat({ prefix: location.prefix })) {
          const file = blob.name.slice(location.prefix.length);
          files.push({
            name: file,
            path: `${location.display}${file}`,
            size: blob.properties.contentLength ?? 0,
            last_modified: blob.properties.lastModified?.toISOString(),
            download_url: `${self}/${file.split("/").map(encodeURIComponent).join("/")}${query}`,
          });
        }
      } catch (thrown) {
        if (!isNotFound(thrown)) throw thrown;
      }
      return json(200, { job: record.name, output_name: name, output_path: location.display, value: files });
    }),

    download: handle(async (request) => {
      const record = await load(routeName(request, "job", "job"));
      const path = param(request, "path");
      if (path === "" || path.split("/").some((part) => part === ".." || part === "")) {
        throw errors.invalidParameter("path", "must name a file inside the job's output folder");
      }
      const { location, container } = await jobOutputFolder(record, deps, outputName(request));
      try {
        const download = await container.getBlobClient(`${location.prefix}${path}`).download();
        const body = download.readableStreamBody;
        return {
          status: 200,
          body: body ? Readable.from(body) : "",
          headers: {
            "content-type": download.contentType ?? "application/octet-stream",
            "content-length": String(download.contentLength ?? 0),
          },
        };
      } catch (thrown) {
        if (isNotFound(thrown)) throw errors.notFound("Output file", `${location.display}${path}`);
        throw thrown;
      }
    }),
  };
}

/** `?name=` of an outputs route: the named output, `score` when absent. */
function outputName(request: Parameters<Handler>[0]): string {
  const name = request.query.get("name") ?? SCORE_OUTPUT;
  if (!ioName.safeParse(name).success) {
    throw errors.invalidParameter("name", "must be an output name: letters, digits or '_'");
  }
  return name;
}
