import type * as z from "zod/mini";
import { errorBodySchema } from "./wire.js";

/** An answer of the API that is not a success, with its status and error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `keepSignedIn`: a 401 of this request does not sign the user out. For the routes only an admin
 * passes (every job, the endpoints), where the host cannot tell an endpoint key from a wrong one.
 */
export interface RequestOptions {
  signal?: AbortSignal;
  keepSignedIn?: boolean;
}

export interface Api {
  /** GET a JSON resource (`path` under `/api/`) and check it with `schema`. */
  json<S extends z.ZodMiniType>(path: string, schema: S, options?: RequestOptions): Promise<z.infer<S>>;
  /** POST without a body and read the JSON answer. */
  post<S extends z.ZodMiniType>(path: string, schema: S): Promise<z.infer<S>>;
  /** GET the raw response (logs, output files), once its status was checked. */
  raw(path: string, options?: RequestOptions): Promise<Response>;
}

/**
 * The REST API of the app that serves this page (`<origin>/api/`, the page being `/api/monitor/`).
 * Each request carries the stored credential as `Authorization: Bearer`; without one no request is
 * made. A refused credential (401) calls `onRefused`, which signs the user out, when it is a token
 * (expired or not valid) or a key that no request has accepted yet. A key that worked before is
 * kept: the host answers 401 to an endpoint key outside its endpoint, which the page shows in place.
 */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
export function createApi(credential: () => string | undefined, onRefused: (message: string) => void): Api {
  const base = new URL("../", window.location.href);
  let verified: string | undefined;
  const send = async (path: string, init: RequestInit, keepSignedIn = false): Promise<Response> => {
    const key = credential();
    if (!key) throw new ApiError(401, "Unauthenticated", "Sign in first.");
    const response = await fetch(new URL(path, base), {
      ...init,
      headers: { authorization: `Bearer ${key}` },
      cache: "no-store",
      credentials: "omit",
    });
    if (response.ok) {
      verified = key;
      return response;
    }
    const error = errorBodySchema.safeParse(await response.json().catch(() => undefined));
    const code = error.success ? error.data.error.code : `HTTP ${response.status}`;
    const message = error.success ? error.data.error.message : response.statusText;
    if (response.status === 401 && !keepSignedIn && (verified !== key || JWT_SHAPE.test(key))) {
      onRefused(message);
    }
    throw new ApiError(response.status, code, message);
  };
  return {
    async json(path, schema, options = {}) {
      return schema.parse(await (await send(path, { signal: options.signal }, options.keepSignedIn)).json());
    },
    async post(path, schema) {
      return schema.parse(await (await send(path, { method: "POST" })).json());
    },
    raw: (path, options = {}) => send(path, { signal: options.signal }, options.keepSignedIn),
  };
}

/** Reads a response's text up to `maxLines` lines or `maxBytes` bytes, then stops the download. */
export async function firstLines(
  response: Response,
  maxLines: number,
  maxBytes = 256 * 1024,
): Promise<string[]> {
  const reader = response.body?.getReader();
  if (!reader) return [];
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (value) {
      bytes += value.length;
      text += decoder.decode(value, { stream: true });
    }
    if (done || bytes >= maxBytes || text.split("\n").length > maxLines) break;
  }
  await reader.cancel().catch(() => undefined);
  return text
    .split("\n")
    .slice(0, maxLines)
    .filter((line, i, all) => line !== "" || i < all.length - 1);
}
