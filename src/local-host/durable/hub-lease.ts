import { hostname } from "node:os";
import type { BlobLeaseClient, BlockBlobClient, ContainerClient } from "@azure/storage-blob";
import { z } from "zod";
import { ensureError, errors } from "../../errors.js";
import { storageFailure } from "../../storage/storage-error.js";

const LEASE_BLOB = "hub.lease";
const LEASE_SECONDS = 15;

/** Owners holding a hub lease in this process; a killed backend leaves this set at once. */
const liveOwners = new Set<string>();

const ownerSchema = z.object({ owner: z.string(), pid: z.coerce.number().int(), host: z.string() });

export interface HubLeaseOptions {
  container: ContainerClient;
  /** A GUID naming this backend; it is the lease id. */
  owner: string;
  /** How long to wait for a lease held by a live host before giving up. */
  waitMs: number;
  /** The lease was lost and could not be taken back: another host may own the hub now. */
  onLost: (problem: string) => void;
  log: (level: "warning" | "error", message: string) => void;
}

/**
 * The hub's single-owner rule: one local host process at a time runs a task hub, because instance
 * records are cached in memory and messages for one instance must be processed by one session at a
 * time. The owner holds a 15-second blob lease and renews it every 5 seconds; its metadata names the
 * owner's process. A new host on the same machine takes over at once when that process is gone
 * (killed) and otherwise waits for the lease to lapse.
 */
export class HubLease {
  private readonly blob: BlockBlobClient;
  private readonly lease: BlobLeaseClient;
  private renewal: NodeJS.Timeout | undefined;

  constructor(private readonly options: HubLeaseOptions) {
    this.blob = options.container.getBlockBlobClient(LEASE_BLOB);
    this.lease = this.blob.getBlobLeaseClient(options.owner);
  }

  /**
   * Takes the hub (waiting as described above); resolves true when its previous owner gave it up
   * with `release` (a graceful stop), false after a crash or on a new hub.
   */
  async acquire(): Promise<boolean> {
    await this.blob.upload("", 0, { conditions: { ifNoneMatch: "*" } }).catch((thrown: unknown) => {
      const { status } = storageFailure(thrown);
      if (status !== 409 && status !== 412) throw thrown;
    });
    const deadline = Date.now() + this.options.waitMs;
    for (;;) {
      try {
        await this.lease.acquireLease(LEASE_SECONDS);
        break;
      } catch (thrown) {
        if (storageFailure(thrown).status !== 409) throw thrown;
      }
      if (await this.holderIsGone()) {
        await this.lease.breakLease(0);
        continue;
      }
      if (Date.now() > deadline) {
        throw errors.taskHubInUse(
          `Task hub lease '${this.options.container.containerName}/${LEASE_BLOB}' is held by another running host; stop it first (one local host runs a task hub at a time).`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    liveOwners.add(this.options.owner);
    const previous = await this.blob.getProperties({ conditions: { leaseId: this.options.owner } });
    await this.blob.setMetadata(
      { owner: this.options.owner, pid: String(process.pid), host: hostname() },
      { conditions: { leaseId: this.options.owner } },
    );
    this.renewal = setInterval(() => void this.renew(), (LEASE_SECONDS * 1000) / 3);
    this.renewal.unref();
    return previous.metadata?.stopped === "clean";
  }

  /** Gives the hub up cleanly (graceful stop), marking it so for the next owner. */
  async release(): Promise<void> {
    this.abandon();
    const owner = { owner: this.options.owner, pid: String(process.pid), host: hostname() };
    await this.blob
      .setMetadata({ ...owner, stopped: "clean" }, { conditions: { leaseId: this.options.owner } })
      .catch(() => undefined);
    await this.lease.releaseLease().catch(() => undefined);
  }

  /** Stops holding the hub without telling storage, as a killed process would. */
  abandon(): void {
    if (this.renewal) clearInterval(this.renewal);
    this.renewal = undefined;
    liveOwners.delete(this.options.owner);
  }

  private async renew(): Promise<void> {
    try {
      await this.lease.renewLease();
    } catch (renewFailure) {
      try {
        await this.lease.acquireLease(LEASE_SECONDS);
        this.options.log(
          "warning",
          `Task hub lease renewal failed and was taken again: ${ensureError(renewFailure).message}`,
        );
      } catch (thrown) {
        if (storageFailure(thrown).status === undefined) {
          // Storage does not answer: nobody else can take the lease either. Keep the hub and try
          // again at the next renewal; the repair scan makes up for writes storage may have lost.
          this.options.log(
            "warning",
            `Task hub lease could not be renewed, storage does not answer; retrying: ${ensureError(thrown).message}`,
          );
          return;
        }
        this.abandon();
        this.options.onLost(ensureError(thrown).message);
      }
    }
  }

  /** True when the lease holder is a process of this machine that no longer runs the hub. */
  private async holderIsGone(): Promise<boolean> {
    const properties = await this.blob.getProperties();
    const holder = ownerSchema.safeParse(properties.metadata ?? {});
    if (!holder.success || holder.data.host !== hostname()) return false;
    if (holder.data.pid === process.pid) return !liveOwners.has(holder.data.owner);
    return !processIsAlive(holder.data.pid);
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (thrown) {
    return z.object({ code: z.literal("EPERM") }).safeParse(thrown).success;
  }
}
