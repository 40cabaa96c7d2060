import { randomUUID } from "node:crypto";
import type { LogHandler } from "@azure/functions";
import { ensureError } from "../../errors.js";
import type { Committer } from "./committer.js";
import type { DeliveryKeeper } from "./delivery-keeper.js";
import type { FunctionLookup } from "./function-table.js";
import type { InstanceStore, LoadedInstance } from "./instance-store.js";
import type { KeyedLock } from "./keyed-lock.js";
import type { ControlMessage, WorkItem } from "./messages.js";
import { PollPace } from "./poll-pace.js";
import type { Delivery, QueueChannel } from "./queue-channel.js";
import type { OrchestrationTriggerHandler } from "./replay-episode.js";
import { runSession } from "./session.js";
import type { StoredInstance } from "./stored-instance.js";
import { Wakeup } from "./wakeup.js";

/** Received control messages held in memory at most (waiting for a busy instance or a timer). */
const MAX_HELD = 2_000;
/** A timer message received longer than this before its time is sent back to the queue. */
const MAX_TIMER_WAIT_MS = 60_000;
/** Pause of a receive loop after its storage call failed (storage down: no busy loop of errors). */
export const RETRY_AFTER_FAILURE_MS = 1_000;
/** Longest pause between receives of an idle control queue (see PollPace). */
const MAX_IDLE_POLL_MS = 1_000;
/** A message that failed this many times is dropped as poison. */
const MAX_DEQUEUE = 10;

/** An instance's state after episodes that were not committed, and the answers they consumed. */
interface Uncommitted {
  loaded: LoadedInstance;
  deliveries: Array<Delivery<ControlMessage>>;
}

export interface ControlDispatcherOptions {
  control: QueueChannel<ControlMessage>;
  store: InstanceStore;
  committer: Committer;
  keeper: DeliveryKeeper;
  lock: KeyedLock;
  orchestrations: FunctionLookup<OrchestrationTriggerHandler>;
  maxConcurrentEpisodes: number;
  /**
   * How long activity answers wait for the other calls of their instance still running here, so
   * that one episode consumes them together (a wave awaited with `Task.all` costs one replay, not one
   * per answer). An answer whose instance has no other call running here is taken at once.
   */
  answerWindowMs: number;
  /** Whether activity calls of the instance are still waiting or running in this host. */
  activitiesPending: (instanceId: string) => boolean;
  visibilityMs: number;
  pollMs: number;
  /** False once the backend stops or is killed: receive no more. */
  receiving: () => boolean;
  /** False once the backend is killed: write nothing more. */
  alive: () => boolean;
  log: (level: "warning" | "error", message: string) => void;
  logHandler?: LogHandler;
}

/**
 * Receives control messages and runs each instance's messages through a session, one session at a
 * time per instance and a bounded number at once. Timer messages wait here until their time.
 */
export class ControlDispatcher {
  readonly wakeup = new Wakeup();
  private readonly held = new Map<string, Array<Delivery<ControlMessage>>>();
  /** When the oldest held message of each instance was held (for the answer window). */
  private readonly heldSince = new Map<string, number>();
  /** Instances whose held answers wait for their siblings, with the timer that ends the wait. */
  private readonly windows = new Map<string, NodeJS.Timeout>();
  private readonly byMessageId = new Map<string, Delivery<ControlMessage>>();
  private readonly busy = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Messages handed over in memory (activity answers): nothing to acknowledge or renew. */
  private readonly local = new WeakSet<Delivery<ControlMessage>>();
  private flushing = false;
  /** Instances with local messages waiting for a retry timer, by instance id (count). */
  private readonly retrying = new Map<string, number>();
  /**
   * Instances whose last episodes only consumed activity answers while the orchestration kept
   * waiting (no new work, same status and custom status): their state is committed with the next
   * episode that changes something, or at a graceful stop (see ARCHITECTURE.md, the commit rule).
   */
  private readonly uncommitted = new Map<string, Uncommitted>();
  private loop: Promise<void> | undefined;
  private readonly pace: PollPace;

  constructor(private readonly options: ControlDispatcherOptions) {
    this.pace = new PollPace(options.pollMs, MAX_IDLE_POLL_MS);
  }

  start(): void {
    this.loop ??= this.receiveLoop();
  }

  /**
   * Takes a message from this process (an activity's answer) as if it had been received; if its
   * session fails, it is offered again a second later (a queue would deliver it again).
   */
  deliver(message: ControlMessage, dequeueCount = 1): void {
    const delivery: Delivery<ControlMessage> = {
      messageId: message.id,
      message,
      dequeueCount,
      renew: async () => {},
      ack: async () => {},
    };
    this.local.add(delivery);
    this.hold(delivery);
    this.schedule();
  }

  /** Whether messages for the instance are held, waiting to be retried or in a running session. */
  isBusy(instanceId: string): boolean {
    return this.held.has(instanceId) || this.busy.has(instanceId) || this.retrying.has(instanceId);
  }

  /** Wakes the receive loop after messages were sent; `dueAt`: when invisible ones become visible. */
  sent(dueAt?: Date): void {
    if (dueAt) this.pace.expect(dueAt.getTime());
    this.wakeup.notify();
  }

  /** Whether an answer to this activity call was consumed by an episode not committed yet. */
  holdsAnswer(call: Pick<WorkItem, "instanceId" | "executionId" | "taskId">): boolean {
    const pending = this.uncommitted.get(call.instanceId);
    return (
      pending?.deliveries.some(({ message }) => {
        const body = message.body;
        const answer = body.kind === "activityCompleted" || body.kind === "activityFailed";
        return answer && message.executionId === call.executionId && body.taskId === call.taskId;
      }) ?? false
    );
  }

  /**
   * Resolves when the receive loop and every running session have ended (after `receiving` turned
   * false); answers already handed over in memory are committed first, unless the host was killed.
   */
  async stopped(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const timer of this.windows.values()) clearTimeout(timer);
    this.windows.clear();
    this.wakeup.notify();
    await this.loop;
    if (this.options.alive()) {
      this.flushing = true;
      this.schedule();
    }
    while (this.busy.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    if (this.options.alive()) {
      await Promise.all([...this.uncommitted.keys()].map((instanceId) => this.process(instanceId, [])));
    }
    this.flushing = false;
  }

  private async receiveLoop(): Promise<void> {
    const { control, receiving, visibilityMs, pollMs } = this.options;
    while (receiving()) {
      let received: number | undefined;
      if (this.byMessageId.size < MAX_HELD) {
        try {
          const deliveries = await control.receive(32, visibilityMs);
          received = deliveries.length;
          if (!receiving()) return;
          for (const delivery of deliveries) this.accept(delivery);
        } catch (thrown) {
          this.options.log(
            "warning",
            `Receiving durable control messages failed: ${ensureError(thrown).message}`,
          );
          await this.wakeup.wait(RETRY_AFTER_FAILURE_MS);
        }
      }
      this.schedule();
      if (received === 32) continue;
      if (received !== undefined) this.pace.received(received);
      // no receive (held messages at their limit, or it failed): the usual pace
      const pause = received === undefined ? pollMs : this.pace.pause(Date.now());
      if (await this.wakeup.wait(pause)) this.pace.woken();
    }
  }

  private accept(delivery: Delivery<ControlMessage>): void {
    const { message } = delivery;
    const known = this.byMessageId.get(delivery.messageId);
    this.byMessageId.set(delivery.messageId, delivery);
    this.options.keeper.keep(delivery);
    if (known) {
      this.options.keeper.release(known);
      if (this.replace(message.instanceId, known, delivery)) return;
    }
    const body = message.body;
    const wait = body.kind === "timerFired" ? body.fireAt.getTime() - Date.now() : 0;
    if (wait <= 0) {
      this.hold(delivery);
      return;
    }
    if (wait > MAX_TIMER_WAIT_MS) {
      void this.postpone(delivery, wait);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.hold(delivery);
      this.schedule();
    }, wait);
    this.timers.add(timer);
  }

  /** A timer far from due goes back to the queue, invisible until (about) its time. */
  private async postpone(delivery: Delivery<ControlMessage>, wait: number): Promise<void> {
    try {
      await this.options.control.send(delivery.message, wait);
      this.sent(new Date(Date.now() + wait));
      await delivery.ack();
    } catch (thrown) {
      this.options.log("warning", `Postponing a durable timer failed: ${ensureError(thrown).message}`);
    } finally {
      this.options.keeper.release(delivery);
      if (this.byMessageId.get(delivery.messageId) === delivery) this.byMessageId.delete(delivery.messageId);
    }
  }

  private hold(delivery: Delivery<ControlMessage>): void {
    const id = delivery.message.instanceId;
    const list = this.held.get(id) ?? [];
    if (list.length === 0) this.heldSince.set(id, Date.now());
    list.push(delivery);
    this.held.set(id, list);
  }

  /** Puts a redelivered message in the place of its stale copy; false when that copy is not waiting. */
  private replace(
    instanceId: string,
    old: Delivery<ControlMessage>,
    fresh: Delivery<ControlMessage>,
  ): boolean {
    const list = this.held.get(instanceId);
    const at = list?.indexOf(old) ?? -1;
    if (!list || at < 0) return false;
    list[at] = fresh;
    return true;
  }

  private schedule(): void {
    for (const instanceId of this.held.keys()) {
      if (this.busy.size >= this.options.maxConcurrentEpisodes) return;
      if (this.busy.has(instanceId) || !this.running() || this.waitsForSiblings(instanceId)) continue;
      this.busy.add(instanceId);
      void this.drain(instanceId).finally(() => {
        this.busy.delete(instanceId);
        this.schedule();
      });
    }
  }

  /**
   * Whether the instance's held messages, all answers from this host, should wait for the answers of
   * its other calls still running here (at most `answerWindowMs` after the first was held).
   */
  private waitsForSiblings(instanceId: string): boolean {
    const left = (this.heldSince.get(instanceId) ?? 0) + this.options.answerWindowMs - Date.now();
    const wait =
      left > 0 &&
      !this.flushing &&
      this.options.activitiesPending(instanceId) &&
      (this.held.get(instanceId)?.every((d) => this.local.has(d)) ?? false);
    const timer = this.windows.get(instanceId);
    if (!wait) {
      clearTimeout(timer);
      this.windows.delete(instanceId);
      return false;
    }
    if (!timer) {
      const ends = setTimeout(() => {
        this.windows.delete(instanceId);
        this.schedule();
      }, left);
      this.windows.set(instanceId, ends);
    }
    return true;
  }

  private async drain(instanceId: string): Promise<void> {
    for (;;) {
      if (this.waitsForSiblings(instanceId)) return;
      const deliveries = this.held.get(instanceId);
      this.held.delete(instanceId);
      this.heldSince.delete(instanceId);
      if (!deliveries || deliveries.length === 0 || !this.running()) return;
      await this.process(instanceId, deliveries);
    }
  }

  private running(): boolean {
    return this.options.receiving() || (this.flushing && this.options.alive());
  }

  private async process(instanceId: string, deliveries: Array<Delivery<ControlMessage>>): Promise<void> {
    const { store, committer, alive } = this.options;
    const live = deliveries.filter((d) => d.dequeueCount <= MAX_DEQUEUE);
    for (const poison of deliveries.filter((d) => d.dequeueCount > MAX_DEQUEUE)) {
      this.options.log(
        "error",
        `Dropping durable message ${poison.messageId} for '${instanceId}' after ${poison.dequeueCount} failed attempts.`,
      );
    }
    const pending = this.uncommitted.get(instanceId);
    this.uncommitted.delete(instanceId);
    /** Answers consumed by earlier episodes that were not committed: committed with this session's. */
    const carried = pending?.deliveries ?? [];
    try {
      await this.options.lock.run(instanceId, async () => {
        // The uncommitted state holds while its committed base is still the cached record; else its
        // answers are applied again to the record as stored now (dropped if their task is closed).
        const current = pending !== undefined && store.cachedEtag(instanceId) === pending.loaded.etag;
        const loaded = current ? pending.loaded : await store.load(instanceId);
        const replayed = current ? [] : carried;
        const before = loaded && observable(loaded.stored);
        const result = await runSession({
          stored: loaded?.stored,
          messages: [...replayed, ...live].map((d) => d.message),
          handlerFor: (name) => this.options.orchestrations.get(name),
          now: () => new Date(),
          newId: randomUUID,
          logHandler: this.options.logHandler,
        });
        const changed = result.changed || (current && carried.length > 0);
        if (result.stored && changed) {
          const onlyAnswers = deliveries.every((d) => this.local.has(d));
          if (!this.flushing && onlyAnswers && before && result.stored === loaded?.stored) {
            const waiting = result.stored.record.runtimeStatus === "Running";
            if (waiting && result.outbox.length === 0 && observable(result.stored) === before) {
              this.uncommitted.set(instanceId, { loaded, deliveries: [...carried, ...deliveries] });
              return;
            }
          }
          await committer.commit(result.stored, result.outbox, loaded?.etag);
        } else if (result.outbox.length > 0) {
          await committer.send(result.outbox);
        }
      });
      if (!alive()) return;
      await Promise.all(deliveries.map((d) => d.ack()));
    } catch (thrown) {
      store.forget(instanceId);
      this.options.log(
        "error",
        `Durable instance '${instanceId}' could not process ${deliveries.length} message(s); they will be retried: ${ensureError(thrown).message}`,
      );
      this.retryLocal([...carried, ...deliveries].filter((d) => this.local.has(d)));
    } finally {
      for (const delivery of deliveries) {
        this.options.keeper.release(delivery);
        if (this.byMessageId.get(delivery.messageId) === delivery)
          this.byMessageId.delete(delivery.messageId);
      }
    }
  }

  private retryLocal(deliveries: Array<Delivery<ControlMessage>>): void {
    const instanceId = deliveries[0]?.message.instanceId;
    if (instanceId === undefined) return;
    this.retrying.set(instanceId, (this.retrying.get(instanceId) ?? 0) + 1);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const left = (this.retrying.get(instanceId) ?? 1) - 1;
      if (left > 0) this.retrying.set(instanceId, left);
      else this.retrying.delete(instanceId);
      if (!this.options.receiving()) return;
      for (const d of deliveries) this.deliver(d.message, d.dequeueCount + 1);
    }, RETRY_AFTER_FAILURE_MS);
    this.timers.add(timer);
  }
}

/**
 * What readers of an instance see change: its execution (continue-as-new), runtime status, custom
 * status and held messages.
 */
function observable(stored: StoredInstance): string {
  const { record } = stored;
  const custom = JSON.stringify(record.customStatus ?? null);
  return `${record.executionId}\n${record.runtimeStatus}\n${stored.held.length}\n${custom}`;
}
