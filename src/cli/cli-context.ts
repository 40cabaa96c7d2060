import { z } from "zod";
import { type ApiClient, createApiClient, readAnswer } from "./api/api-client.js";
import { resolveCredentials } from "./api/credentials.js";
import { OUTPUT_FORMATS } from "./output/format-output.js";
import { createStatusLine, type StatusLine, type StatusStream, statusMode } from "./output/status-line.js";
import { createUploader, type Uploader } from "./upload/upload-artifact.js";
import { cacheDir, openUploadCache } from "./upload/upload-cache.js";

/** Where the CLI reads and writes: the process in production, buffers in tests. */
export interface CliIo {
  stdout: StatusStream;
  stderr: StatusStream;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** The flags every command takes (`--url`, `--output/-o`, `--query`, `--debug`, `--only-show-errors`). */
export const commonOptionsSchema = z.object({
  url: z.string().url().optional(),
  output: z.enum(OUTPUT_FORMATS).default("json"),
  query: z.string().optional(),
  debug: z.boolean().default(false),
  onlyShowErrors: z.boolean().default(false),
});
export type CommonOptions = z.infer<typeof commonOptionsSchema>;

/** What a command runs with. */
export interface CliContext {
  io: CliIo;
  options: CommonOptions;
  api: ApiClient;
  uploader: Uploader;
  /** Information for people, on stderr (hidden by `--only-show-errors`). */
  note(message: string): void;
  /** `WARNING: ...` on stderr (hidden by `--only-show-errors`). */
  warn(message: string): void;
  /** A new progress line on stderr. */
  status(): StatusLine;
}

/** The default server: the local host of `npm start` (Azure Functions Core Tools' port). */
export const DEFAULT_URL = "http://127.0.0.1:7071";

/** Builds a command's context from its common flags and the environment. */
export async function createCliContext(io: CliIo, options: CommonOptions): Promise<CliContext> {
  const baseUrl = options.url ?? io.env.BATCHFN_URL ?? DEFAULT_URL;
  const quiet = options.onlyShowErrors;
  const stderr = (text: string) => io.stderr.write(text);
  const credentials = await resolveCredentials({ env: io.env, cwd: io.cwd }, baseUrl);
  const debug = options.debug ? (line: string) => stderr(`DEBUG: ${line}\n`) : undefined;
  debug?.(`credentials: ${credentials.source}`);
  const api = createApiClient({ baseUrl, credentials, debug });
  const status = () => createStatusLine(io.stderr, statusMode(io.stderr, io.env.BATCHFN_PROGRESS, quiet));
  const note = (message: string) => {
    if (!quiet) stderr(`${message}\n`);
  };
  const uploader = createUploader({
    api,
    status,
    note,
    cache: async () => {
      const store = await api.send({ path: "/api/datastores/workspaceartifactstore" });
      const fingerprint = readAnswer(
        z.object({ container_name: z.string().optional(), created_at: z.string().optional() }),
        store.body,
        "GET /api/datastores/workspaceartifactstore",
      );
      return openUploadCache({
        dir: cacheDir(io.env),
        server: api.baseUrl,
        fingerprint: `${fingerprint.container_name ?? ""}@${fingerprint.created_at ?? ""}`,
      });
    },
  });
  return {
    io,
    options,
    api,
    uploader,
    note,
    warn: (message) => {
      if (!quiet) stderr(`WARNING: ${message}\n`);
    },
    status,
  };
}
