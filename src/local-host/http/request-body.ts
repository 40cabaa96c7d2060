import type { IncomingMessage } from "node:http";

/** A request body read under a size limit. */
export type RequestBody = { kind: "ok"; body: Buffer } | { kind: "tooLarge" };

/** The declared `content-length`, or undefined for chunked or malformed values. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers["content-length"];
  if (header === undefined || !/^\d+$/.test(header)) return undefined;
  return Number(header);
}

/**
 * Reads a whole request body, refusing (without buffering the rest) once it exceeds `limit`
 * bytes, whether announced by `content-length` or found while reading a chunked body. A refused
 * body is drained so the 413 answer can still reach the client.
 */
export async function readRequestBody(req: IncomingMessage, limit: number): Promise<RequestBody> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > limit) {
    req.resume();
    return { kind: "tooLarge" };
  }
  return new Promise<RequestBody>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      req.off("data", onData);
      req.off("end", onEnd);
      req.resume();
      resolve({ kind: "tooLarge" });
    };
    const onEnd = () => resolve({ kind: "ok", body: Buffer.concat(chunks) });
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", reject);
  });
}
