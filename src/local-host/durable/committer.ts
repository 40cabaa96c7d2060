import type { InstanceStore } from "./instance-store.js";
import type { ControlMessage, Outbound, WorkItem } from "./messages.js";
import type { QueueChannel } from "./queue-channel.js";
import type { StoredInstance } from "./stored-instance.js";

/** Messages sent at once while delivering an outbox. */
const SEND_CONCURRENCY = 16;

export interface CommitterOptions {
  store: InstanceStore;
  control: QueueChannel<ControlMessage>;
  work: QueueChannel<WorkItem>;
  /** False once the backend is stopped or killed: nothing more is written. */
  alive: () => boolean;
  /** Called after messages went to a queue, to wake its dispatcher. */
  sent: (queue: Outbound["queue"]) => void;
}

/**
 * The one way state changes reach storage, in an order that survives a crash at any point:
 * 1. the record blob (history, custom status and the outbox of pending work) with its next version;
 * 2. the outbox messages; 3. the table row with that version. A row older than its blob tells
 * recovery that step 2 may not have finished, so it sends the outbox again (duplicates are dropped
 * by the episode loop: a completion for a task that is no longer open is skipped).
 */
export class Committer {
  constructor(private readonly options: CommitterOptions) {}

  /** Commits `stored` with `outbox` as its pending work; `etag` is the blob's as loaded. */
  async commit(stored: StoredInstance, outbox: Outbound[], etag: string | undefined): Promise<void> {
    if (!this.options.alive()) return;
    stored.outbox = outbox;
    await this.options.store.save(stored, etag);
    await this.deliver(stored);
  }

  /** Steps 2 and 3 for a record already saved (a commit, or recovery after a crash). */
  async deliver(stored: StoredInstance): Promise<void> {
    if (!this.options.alive()) return;
    await this.send(stored.outbox);
    if (!this.options.alive()) return;
    await this.options.store.project(stored);
  }

  /** Sends messages that belong to no commit (e.g. a refusal to a parent). */
  async send(outbox: Outbound[]): Promise<void> {
    const queues = new Set<Outbound["queue"]>();
    for (let at = 0; at < outbox.length && this.options.alive(); at += SEND_CONCURRENCY) {
      await Promise.all(
        outbox.slice(at, at + SEND_CONCURRENCY).map((item) => {
          queues.add(item.queue);
          if (item.queue === "work") return this.options.work.send(item.message);
          const delayMs = item.deliverAt ? item.deliverAt.getTime() - Date.now() : 0;
          return this.options.control.send(item.message, delayMs);
        }),
      );
    }
    for (const queue of queues) this.options.sent(queue);
  }
}
