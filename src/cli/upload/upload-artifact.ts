import { readFile } from "node:fs/promises";
import { z } from "zod";
import { BatchfnError, errors } from "../../errors.js";
import { artifactUri, manifestOf } from "../../spec/artifact-manifest.js";
import { type ApiClient, readAnswer } from "../api/api-client.js";
import { createProgressBar, formatBytes } from "../output/progress-bar.js";
import type { StatusLine } from "../output/status-line.js";
import { type LocalFile, type LocalTarget, readLocalTarget } from "./local-files.js";
import type { UploadCache } from "./upload-cache.js";

/** A local file or folder once the server holds it. */
export interface UploadedTarget {
  /** `azureml://datastores/workspaceartifactstore/paths/sha256/<hash>/` */
  uri: string;
  hash: string;
  kind: "file" | "folder";
  /** The file's name inside the artifact, for a single file. */
  fileName?: string;
}

/** Uploads local files and folders as content-addressed artifacts. */
export interface Uploader {
  /** Uploads `absolute` unless the server is known to hold the same content; `label` names it in messages. */
  upload(absolute: string, label: string): Promise<UploadedTarget>;
  /** Forgets artifacts the server turned out not to hold, so the next upload sends them. */
  forget(hashes: readonly string[]): Promise<void>;
}

export interface UploaderOptions {
  api: ApiClient;
  /** Opens the cache of artifacts known to the server (after one cheap call that identifies it). */
  cache: () => Promise<UploadCache>;
  status: () => StatusLine;
  note: (message: string) => void;
}

/** Largest folder sent in one JSON body when the server cannot sign upload URLs (50 MB of base64). */
const MAX_BODY_UPLOAD = 36 * 1024 * 1024;
const PARALLEL_FILES = 4;
const BLOCK_SIZE = 8 * 1024 * 1024;

const startAnswer = z.object({
  upload_id: z.string().min(1),
  files: z.array(z.object({ path: z.string(), url: z.string().url() })),
});
const artifactAnswer = z.object({ uri: z.string(), hash: z.string(), uploaded: z.number() });

/**
 * The uploader. The artifact hash is computed here exactly as the server computes it
 * (`manifestOf`), so a folder whose hash the server is known to hold is not sent again. Otherwise
 * the files go to short-lived SAS URLs (`POST /api/artifact-uploads`, one PUT per file, in blocks,
 * with a progress bar, then the commit, where the server checks every sha256); a server that
 * cannot sign URLs (`SasUnavailable`) gets them in one JSON body (`POST /api/artifacts`).
 */
export function createUploader(options: UploaderOptions): Uploader {
  const { api, note } = options;
  let cache: Promise<UploadCache> | undefined;
  const cacheOnce = () => {
    cache ??= options.cache();
    return cache;
  };

  const viaSas = async (target: LocalTarget, label: string) => {
    const start = await api.send({
      method: "POST",
      path: "/api/artifact-uploads",
      body: { files: target.files.map((file) => ({ path: file.path })) },
    });
    const started = readAnswer(startAnswer, start.body, "POST /api/artifact-uploads");
    const urls = new Map(started.files.map((file) => [file.path, file.url]));
    const { BlockBlobClient } = await import("@azure/storage-blob");
    const bar = createProgressBar(options.status(), {
      label: `Uploading ${label}`,
      total: target.size,
      unit: "bytes",
    });
    const loaded = new Map<string, number>();
    const sum = () => [...loaded.values()].reduce((total, bytes) => total + bytes, 0);
    await mapLimit(target.files, PARALLEL_FILES, async (file: LocalFile) => {
      const url = urls.get(file.path);
      if (!url) throw errors.unexpectedResponse(`The server gave no upload URL for '${file.path}'.`);
      await new BlockBlobClient(url).uploadFile(file.absolute, {
        blockSize: BLOCK_SIZE,
        concurrency: 2,
        onProgress: (event) => {
          loaded.set(file.path, event.loadedBytes);
          bar.update(sum());
        },
      });
      loaded.set(file.path, file.size);
      bar.update(sum());
    });
    bar.finish();
    const committed = await api.send({
      method: "POST",
      path: `/api/artifact-uploads/${encodeURIComponent(started.upload_id)}/commit`,
      body: { files: target.files.map((file) => ({ path: file.path, sha256: file.sha256 })) },
    });
    return readAnswer(artifactAnswer, committed.body, "the upload's commit");
  };

  const viaBody = async (target: LocalTarget, label: string) => {
    if (target.size > MAX_BODY_UPLOAD) {
      throw errors.sasUnavailable(
        `The server cannot sign upload URLs, and ${label} '${target.absolute}' (${formatBytes(target.size)}) is larger than the ${formatBytes(MAX_BODY_UPLOAD)} one upload body can hold.`,
      );
    }
    const bar = createProgressBar(options.status(), {
      label: `Uploading ${label}`,
      total: target.size,
      unit: "bytes",
    });
    const files = await Promise.all(
      target.files.map(async (file) => ({
        path: file.path,
        content_base64: (await readFile(file.absolute)).toString("base64"),
      })),
    );
    const answer = await api.send({ method: "POST", path: "/api/artifacts", body: { files } });
    bar.finish();
    return readAnswer(artifactAnswer, answer.body, "POST /api/artifacts");
  };

  return {
    async upload(absolute, label) {
      const target = await readLocalTarget(absolute, label);
      const { hash } = manifestOf(target.files);
      const result: UploadedTarget = {
        uri: artifactUri(hash),
        hash,
        kind: target.kind,
        ...(target.kind === "file" ? { fileName: target.files[0]?.path } : {}),
      };
      const known = await cacheOnce();
      if (known.has(hash)) {
        note(`${label} '${absolute}' is unchanged (sha256 ${hash.slice(0, 12)}…): not uploaded again.`);
        return result;
      }
      let answer: z.infer<typeof artifactAnswer>;
      try {
        answer = await viaSas(target, label);
      } catch (thrown) {
        if (!(thrown instanceof BatchfnError && thrown.code === "SasUnavailable")) throw thrown;
        answer = await viaBody(target, label);
      }
      if (answer.hash !== hash) {
        throw errors.unexpectedResponse(
          `The server stored ${label} '${absolute}' as sha256 ${answer.hash}, not ${hash} as computed here.`,
        );
      }
      await known.add(hash);
      const files = `${target.files.length} file${target.files.length === 1 ? "" : "s"}`;
      note(
        answer.uploaded > 0
          ? `Uploaded ${label} '${absolute}' (${files}, ${formatBytes(target.size)}) as ${answer.uri}`
          : `The server already held ${label} '${absolute}' (${answer.uri}).`,
      );
      return result;
    },
    async forget(hashes) {
      await (await cacheOnce()).forget(hashes);
    },
  };
}

async function mapLimit<I>(
  items: readonly I[],
  limit: number,
  fn: (item: I) => Promise<void>,
): Promise<void> {
  const queue = items.values();
  const worker = async () => {
    for (const item of queue) await fn(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
