import type { InstanceStore } from "./instance-store.js";
import type { ControlMessage, Outbound, WorkItem } from "./messages.js";
import type { QueueChannel } from "./queue-channel.js";
import type { StoredInstance } from "./stored-instance.js";

/** Messages sent at once while delivering an outbox. */
const SEND_CONCURRENCY = 16;

export interface CommitterOptions {
  store: InstanceStore;
  control: QueueChannel<ControlMessage>;
  /** Runs an activity call in this process (work items need no queue: see ActivityDispatcher). */
  dispatch: (item: WorkItem) => void;
  /** False once the backend is stopped or killed: nothing more is written. */
  alive: () => boolean;
  /**
   * Called after messages went to the control queue, to wake its dispatcher; `dueAt` is when the
   * earliest of those sent invisible (timers) becomes visible.
   */
  sent: (dueAt?: Date) => void;
}

/**
 * The one way state changes reach storage, in an order that survives a crash at any point:
 * 1. the record blob (history, custom status, open tasks and the outbox) with its next version;
 * 2. the outbox: control messages to their queue, activity calls to this host's dispatcher;
 * 3. the table row with that version. A row older than its blob tells recovery that step 2 may not
 * have finished, so it sends the outbox again (duplicates are dropped by the episode loop: a
 * completion for a task that is no longer open is skipped).
 */
export class Committer {
  constructor(private readonly options: CommitterOptions) {}

  /** Commits `stored` with `outbox` as its pending work; `etag` is the blob's as loaded. */
  async commit(stored: StoredInstance, outbox: Outbound[], etag: string | undefined): Promise<void> {
    if (!this.options.alive()) return;
    stored.outbox = outbox;
    for (const id of Object.keys(stored.restarts)) {
      if (!(id in stored.record.openTasks)) delete stored.restarts[Number(id)];
    }
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
    const queued: Array<Extract<Outbound, { queue: "control" }>> = [];
    for (const item of outbox) {
      if (item.queue === "control") queued.push(item);
      else if (this.options.alive()) this.options.dispatch(item.message);
    }
    for (let at = 0; at < queued.length && this.options.alive(); at += SEND_CONCURRENCY) {
      await Promise.all(
        queued.slice(at, at + SEND_CONCURRENCY).map((item) => {
          const delayMs = item.deliverAt ? item.deliverAt.getTime() - Date.now() : 0;
          return this.options.control.send(item.message, delayMs);
        }),
      );
    }
    if (queued.length === 0) return;
    const due = queued.flatMap((item) => (item.deliverAt ? [item.deliverAt.getTime()] : []));
    this.options.sent(due.length > 0 ? new Date(Math.min(...due)) : undefined);
  }
}
