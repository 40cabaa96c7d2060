import type { ChildProcess } from "node:child_process";

/**
 * How a parent process (the tests, the bench, a packaged-app check) drives a local host it started
 * with `node … src/local-host/main.ts`: main.ts prints {@link listeningLine} once it serves, and
 * stops cleanly on SIGINT.
 */
const LISTENING = /listening at (http:\/\/\S+)/;

/** The line main.ts prints once the host serves. */
export function listeningLine(url: string): string {
  return `batchfn local host listening at ${url}`;
}

/**
 * Resolves with the host's URL once the child has printed its listening line (on stdout or
 * stderr); rejects, with what the child printed, when it exits first.
 */
export function whenListening(child: ChildProcess, name = "the host"): Promise<string> {
  let text = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text = (text + chunk.toString()).slice(-20_000);
      const match = LISTENING.exec(text);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${name} exited (${code}) before listening:\n${text}`)));
  });
}

/**
 * Sends `signal` (SIGINT: a clean stop) and resolves when the child has exited; after `killAfterMs`
 * without an exit, kills it.
 */
export function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = "SIGINT",
  killAfterMs?: number,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer =
      killAfterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
