import { Server } from "node:net";

const LOOPBACK = "127.0.0.1";

/**
 * Runs `work` with every `listen` that names no host (a port and/or a callback only) bound to
 * 127.0.0.1 instead of all interfaces. `@azure/functions` starts its HTTP stream proxy with
 * `server.listen(callback)`: on a developer's machine that port must not be reachable from the
 * network, since the proxy takes any request that names an invocation id.
 */
export async function listeningOnLoopback<T>(work: () => Promise<T>): Promise<T> {
  const original = Server.prototype.listen;
  const onLoopback = function (this: Server, ...args: unknown[]): Server {
    const [first, second] = args;
    const callback = args.find((arg) => typeof arg === "function");
    if (first === undefined || typeof first === "function") {
      return Reflect.apply(original, this, [0, LOOPBACK, ...(callback ? [callback] : [])]) as Server;
    }
    if (typeof first === "number" && (second === undefined || typeof second === "function")) {
      return Reflect.apply(original, this, [first, LOOPBACK, ...(callback ? [callback] : [])]) as Server;
    }
    return Reflect.apply(original, this, args) as Server;
  };
  Server.prototype.listen = onLoopback as unknown as typeof original;
  try {
    return await work();
  } finally {
    Server.prototype.listen = original;
  }
}

/** The same URL with `localhost` spelled 127.0.0.1 (which `localhost` may not resolve to first). */
export function onLoopbackAddress(uri: string): string {
  const url = new URL(uri);
  if (url.hostname === "localhost") url.hostname = LOOPBACK;
  return url.toString();
}
