import { adoptAzurite, startDetachedAzurite } from "../storage/detached-azurite.js";
import { type AzuritePorts, type EmbeddedAzurite, startAzurite } from "../storage/embedded-azurite.js";

/** The Azurite ports `npm start` uses when none are given: Azurite's own (blob 10000, queue and table after). */
export const DEFAULT_AZURITE_PORT = 10000;

/** The embedded Azurite a local app asked for. */
export interface LocalAzuriteOptions {
  /** Its data, log and pid file (unless in memory). */
  dir: string;
  inMemory: boolean;
  /** The blob port (queue and table the next two); undefined: 10000, or free ones in memory. */
  port?: number;
}

/** Which Azurite the app got, and so what `npm start` says about it. */
export type AzuriteUse =
  /** Started for this app in a process of its own, data in `dir`; it outlives a crash of the host. */
  | { kind: "started"; ports: AzuritePorts; dir: string }
  /** The one an earlier start left running in `dir` (after a crash of its host). */
  | { kind: "adopted"; ports: AzuritePorts; dir: string }
  /** Another Azurite already answering on the ports: used as it is, never stopped. */
  | { kind: "foreign"; ports: AzuritePorts }
  /** In memory, a child of this host that stops with it; on free ports unless some were given. */
  | { kind: "in-memory"; ports: AzuritePorts; freePorts: boolean };

/**
 * The Azurite of a local app: in memory, one of its own (on free ports unless `port` is given, where
 * nothing may answer yet: in-memory storage is never shared); persisted, the one an earlier start
 * left running in `dir`, or whatever Azurite answers on the ports, or a new one in a process of its
 * own. `azurite` is what the app stops on a clean stop (nothing for a foreign one).
 */
export async function openLocalAzurite(
  options: LocalAzuriteOptions,
): Promise<{ azurite: EmbeddedAzurite | undefined; use: AzuriteUse }> {
  if (options.inMemory) {
    if (options.port !== undefined && (await answers(options.port))) {
      throw new Error(
        `an Azurite already answers on 127.0.0.1:${options.port}; --in-memory starts storage of its own: leave --azurite-port out (free ports) or choose free ones`,
      );
    }
    const ports = options.port === undefined ? undefined : consecutive(options.port);
    const azurite = await startAzurite({ inMemory: true, ports });
    return { azurite, use: { kind: "in-memory", ports: azurite.ports, freePorts: ports === undefined } };
  }
  const ports = consecutive(options.port ?? DEFAULT_AZURITE_PORT);
  if (await answers(ports.blob)) {
    const adopted = await adoptAzurite(options.dir, ports);
    return adopted
      ? { azurite: adopted, use: { kind: "adopted", ports, dir: options.dir } }
      : { azurite: undefined, use: { kind: "foreign", ports } };
  }
  const azurite = await startDetachedAzurite({ dir: options.dir, inMemory: false, ports });
  return { azurite, use: { kind: "started", ports: azurite.ports, dir: options.dir } };
}

/** One line for people: which Azurite, on which ports, and what happens to it. */
export function describeAzurite(use: AzuriteUse, shownDir: (dir: string) => string = (dir) => dir): string {
  const on = `blob 127.0.0.1:${use.ports.blob}, queue ${use.ports.queue}, table ${use.ports.table}`;
  switch (use.kind) {
    case "started":
      return `Azurite: started (${on}), data in ${shownDir(use.dir)}; it keeps running if the host crashes, and the next start reuses it`;
    case "adopted":
      return `Azurite: reusing the one an earlier start left running (${on}), data in ${shownDir(use.dir)}`;
    case "foreign":
      return `Azurite: reusing an Azurite already answering (${on}), not started by batchfn: its data is wherever it keeps it, and it keeps running after this host stops`;
    case "in-memory":
      return `Azurite: in memory, ${use.freePorts ? "on free ports of its own" : "on the ports given"} (${on}); nothing is shared or kept, and it stops with the host`;
  }
}

function consecutive(blob: number): AzuritePorts {
  return { blob, queue: blob + 1, table: blob + 2 };
}

async function answers(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/devstoreaccount1?comp=list`, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}
