import { z } from "zod";
import { BatchfnError, ensureError, errors } from "../../errors.js";
import type { Credentials } from "./credentials.js";

/** One call of the batchfn REST API. */
export interface ApiRequest {
  method?: "GET" | "PUT" | "POST" | "DELETE";
  /** `/api/...`, or a link the server returned (`nextLink`, `download_url`): only its path and query are used. */
  path: string;
  query?: Record<string, string | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** A JSON answer. */
export interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** The REST API of one batchfn app, with the caller's credentials. */
export interface ApiClient {
  readonly baseUrl: string;
  /** Sends a request and reads a JSON answer; an error status throws the server's `BatchfnError`. */
  send(request: ApiRequest): Promise<ApiResponse>;
  /** Sends a request and returns the raw response (downloads, log pages); error statuses throw too. */
  raw(request: ApiRequest): Promise<Response>;
}

export interface ApiClientOptions {
  baseUrl: string;
  credentials: Credentials;
  /** Receives one line per request and answer (`--debug`). */
  debug?: (line: string) => void;
  fetch?: typeof fetch;
}

const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z
      .array(z.object({ path: z.string().optional(), code: z.string().optional(), message: z.string() }))
      .optional(),
  }),
});

/** Builds the client; credentials are sent on every request, and only to `baseUrl`. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;
  const debug = options.debug ?? (() => {});

  const urlOf = (request: ApiRequest): string => {
    const relative = /^https?:\/\//i.test(request.path)
      ? (() => {
          const link = new URL(request.path);
          return `${link.pathname}${link.search}`;
        })()
      : request.path;
    const url = new URL(`${baseUrl}${relative.startsWith("/") ? "" : "/"}${relative}`);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    return url.toString();
  };

  const raw = async (request: ApiRequest): Promise<Response> => {
    const method = request.method ?? (request.body === undefined ? "GET" : "POST");
    const url = urlOf(request);
    const headers: Record<string, string> = { ...options.credentials.headers, ...request.headers };
    if (request.body !== undefined) headers["content-type"] = "application/json";
    debug(`→ ${method} ${url}`);
    let response: Response;
    try {
      response = await doFetch(url, {
        method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
      });
    } catch (thrown) {
      throw errors.serverUnreachable(baseUrl, networkReason(thrown));
    }
    debug(`← ${response.status} ${method} ${url}`);
    if (response.status >= 400) throw await responseError(response, method, url);
    return response;
  };

  return {
    baseUrl,
    raw,
    async send(request) {
      const response = await raw(request);
      const text = await response.text();
      let body: unknown;
      if (text.trim() !== "") {
        try {
          body = JSON.parse(text);
        } catch {
          throw errors.unexpectedResponse(
            `${request.path} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
          );
        }
      }
      return { status: response.status, headers: response.headers, body };
    },
  };
}

/** The server's error (`{"error": {"code", "message", "details"}}`), or a description of what came back. */
async function responseError(response: Response, method: string, url: string): Promise<BatchfnError> {
  const text = await response.text().catch(() => "");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const body = errorBodySchema.safeParse(parsed);
  if (body.success) {
    const { code, message, details } = body.data.error;
    return new BatchfnError({ code, message, status: response.status, details });
  }
  const hint =
    response.status === 401 || response.status === 403
      ? " (set BATCHFN_KEY, BATCHFN_TOKEN or BATCHFN_TOKEN_COMMAND to authenticate)"
      : "";
  const said = text.trim() === "" ? "" : `: ${text.trim().slice(0, 200)}`;
  return errors.unexpectedResponse(
    `${method} ${url} answered ${response.status} ${response.statusText}${said}${hint}`,
    response.status,
  );
}

function networkReason(thrown: unknown): string {
  const error = ensureError(thrown);
  const cause = error.cause;
  if (typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string") {
    return cause.code;
  }
  return error.message;
}

/**
 * Reads an answer of the app with the schema of what it should be; an answer of another shape (an
 * app of another version, a proxy's page) is `UnexpectedResponse` naming what was asked and the
 * first fields that differ, never a raw list of schema issues.
 */
export function readAnswer<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "(the answer)"}: ${issue.message}`)
    .join("; ");
  throw errors.unexpectedResponse(`The app's answer to ${what} is not what batchfn expects (${fields}).`);
}
