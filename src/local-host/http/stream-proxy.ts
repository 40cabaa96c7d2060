import {
  type ClientRequest,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { Transform, type TransformCallback } from "node:stream";

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "x-ms-invocation-id",
]);

export interface StreamProxyOptions {
  /** The library's proxy address (`HttpUri` capability), e.g. `http://localhost:55001/`. */
  httpUri: string;
  invocationId: string;
  req: IncomingMessage;
  res: ServerResponse;
  maxBodyBytes: number;
}

/** A request forwarded to the library's HTTP stream proxy, answering the client as it streams. */
export interface ProxiedRequest {
  /** Settles when the proxied response has been copied to the client in full. */
  done: Promise<void>;
  /** Resolves if forwarding failed before an answer: body over the limit, proxy unreachable. */
  failed: Promise<void>;
  /** True once the client's body went over the size limit. */
  readonly tooLarge: boolean;
  /** True once the proxied response started reaching the client. */
  readonly answered: boolean;
  abort(): void;
}

/**
 * HTTP streaming the way the Functions host does it when the app called
 * `app.setup({ enableHttpStream: true })`: the client's request is forwarded (body streamed, under
 * the size limit) to the proxy server `@azure/functions` runs, tagged with `x-ms-invocation-id`
 * and the `x-forwarded-*` headers the library builds the request URL from; the library writes the
 * handler's response there chunk by chunk, and each chunk is copied to the client as it arrives.
 */
export function forwardToStreamProxy(options: StreamProxyOptions): ProxiedRequest {
  const { req, res } = options;
  let tooLarge = false;
  let answered = false;
  const target = new URL(req.url ?? "/", options.httpUri);
  const headers = { ...req.headers };
  for (const name of HOP_BY_HOP) delete headers[name];
  // Keep-alive: the proxy then reads and drops whatever body its handler left unread after it has
  // answered, instead of closing the connection under the body still being forwarded.
  headers.connection = "keep-alive";
  headers["x-ms-invocation-id"] = options.invocationId;
  headers["x-forwarded-host"] = req.headers.host ?? target.host;
  headers["x-forwarded-proto"] = "http";
  const proxyRequest: ClientRequest = httpRequest(target, { method: req.method, headers, agent: false });
  let signalFailure: () => void = () => undefined;
  const failed = new Promise<void>((resolve) => {
    signalFailure = resolve;
  });
  proxyRequest.once("error", () => {
    if (!answered) signalFailure();
  });

  const done = new Promise<void>((resolve, reject) => {
    proxyRequest.once("error", (thrown) => {
      if (!answered) reject(thrown);
    });
    proxyRequest.once("response", (proxied) => {
      answered = true;
      dropRestOfBody();
      afterBody(() => {
        for (const [name, value] of Object.entries(proxied.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) res.setHeader(name, value);
        }
        res.writeHead(proxied.statusCode ?? 500);
        res.flushHeaders();
        res.once("finish", () => resolve());
        res.once("close", () => proxied.destroy());
        proxied.once("error", reject);
        proxied.once("end", () => proxyRequest.destroy());
        proxied.pipe(res);
      });
    });
  });
  done.catch(() => undefined);

  let seen = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > options.maxBodyBytes) {
        tooLarge = true;
        callback(new Error("request body too large"));
        return;
      }
      callback(null, chunk);
    },
  });
  limiter.once("error", () => {
    if (!answered) signalFailure();
    req.unpipe(limiter);
    req.resume();
    proxyRequest.destroy();
  });
  /**
   * The handler answered before the whole body arrived (a 413 on the declared length): the rest of
   * the body is read and dropped, and the answer is sent once it has been read. A client still
   * sending when the answer comes may see its connection closed under it (fetch does), so no
   * answer goes out before the body is in.
   */
  const dropRestOfBody = () => {
    if (req.readableEnded) return;
    req.unpipe(limiter);
    req.resume();
  };
  const afterBody = (then: () => void) => {
    if (req.readableEnded || req.destroyed) {
      then();
      return;
    }
    const once = () => {
      req.off("end", once);
      req.off("close", once);
      then();
    };
    req.once("end", once);
    req.once("close", once);
  };
  req.pipe(limiter).pipe(proxyRequest);

  return {
    done,
    failed,
    get tooLarge() {
      return tooLarge;
    },
    get answered() {
      return answered;
    },
    abort() {
      req.unpipe(limiter);
      proxyRequest.destroy();
    },
  };
}
