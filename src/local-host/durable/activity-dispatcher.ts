import { randomUUID } from "node:crypto";
import { ensureError } from "../../errors.js";
import { RETRY_AFTER_FAILURE_MS } from "./control-dispatcher.js";
import type { DeliveryKeeper } from "./delivery-keeper.js";
import type { FunctionLookup } from "./function-table.js";
import type { InstanceMessage } from "./instance.js";
import type { ControlMessage, WorkItem } from "./messages.js";
import type { Delivery, QueueChannel } from "./queue-channel.js";
import { Wakeup } from "./wakeup.js";

/** A work item received this many times (its host died each time) fails its task without running. */
const MAX_DEQUEUE = 10;

/** Who asks for an activity call. */
export interface ActivityCall {
  name: string;
  instanceId: string;
  executionId: string;
  taskId: number;
  /** 1 the first time; more when the host stopped while the activity ran. */
  dequeueCount: number;
}

/** Runs one activity function: `input` is the value the orchestrator passed. */
export type ActivityInvoker = (input: unknown, call: ActivityCall) => Promise<unknown>;

export interface ActivityDispatcherOptions {
  work: QueueChannel<WorkItem>;
  control: QueueChannel<ControlMessage>;
  keeper: DeliveryKeeper;
  activities: FunctionLookup<ActivityInvoker>;
  maxConcurrent: number;
  visibilityMs: number;
  pollMs: number;
  /** False once the backend stops or is killed: receive no more. */
  receiving: () => boolean;
  /** False once the backend is killed: write nothing more. */
  alive: () => boolean;
  /** Called after a completion was sent, to wake the control dispatcher. */
  completed: () => void;
  log: (level: "warning" | "error", message: string) => void;
}

/**
 * Runs activity work items, at most `maxConcurrent` at once (host.json
 * `maxConcurrentActivityFunctions`), and answers each with a completion message to its instance.
 * The work item is deleted only after the answer is in the control queue: a host that dies while an
 * activity runs runs it again after a restart (at least once).
 */
export class ActivityDispatcher {
  readonly wakeup = new Wakeup();
  private readonly running = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;

  constructor(private readonly options: ActivityDispatcherOptions) {}

  start(): void {
    this.loop ??= this.receiveLoop();
  }

  /** Resolves when the loop has ended and, if `drain`, every running activity has answered. */
  async stopped(drain: boolean): Promise<void> {
    this.wakeup.notify();
    await this.loop;
    if (drain) await Promise.all(this.running);
  }

  private async receiveLoop(): Promise<void> {
    const { work, receiving, maxConcurrent, visibilityMs, pollMs } = this.options;
    while (receiving()) {
      const free = maxConcurrent - this.running.size;
      const wanted = Math.min(free, 32);
      let received = 0;
      if (free > 0) {
        try {
          const deliveries = await work.receive(wanted, visibilityMs);
          received = deliveries.length;
          if (!receiving()) return;
          for (const delivery of deliveries) this.launch(delivery);
        } catch (thrown) {
          this.options.log("warning", `Receiving durable work items failed: ${ensureError(thrown).message}`);
          await this.wakeup.wait(RETRY_AFTER_FAILURE_MS);
        }
      }
      // A short answer means the queue is drained: wait for new work (the committer wakes this loop
      // when it sends some) or the poll interval, instead of asking an empty queue again at once.
      if (received < wanted || this.running.size >= maxConcurrent) await this.wakeup.wait(pollMs);
    }
  }

  private launch(delivery: Delivery<WorkItem>): void {
    this.options.keeper.keep(delivery);
    const run = this.run(delivery).finally(() => {
      this.options.keeper.release(delivery);
      const wasFull = this.running.size >= this.options.maxConcurrent;
      this.running.delete(run);
      if (wasFull) this.wakeup.notify();
    });
    this.running.add(run);
  }

  private async run(delivery: Delivery<WorkItem>): Promise<void> {
    const item = delivery.message;
    const outcome = await this.invoke(item, delivery.dequeueCount);
    if (!this.options.alive()) return;
    try {
      const answer: ControlMessage = {
        id: randomUUID(),
        instanceId: item.instanceId,
        executionId: item.executionId,
        body: outcome,
      };
      await this.options.control.send(answer);
      this.options.completed();
      await delivery.ack();
    } catch (thrown) {
      this.options.log(
        "error",
        `Activity '${item.name}' of '${item.instanceId}' finished but its answer could not be sent; it will run again: ${ensureError(thrown).message}`,
      );
    }
  }

  private async invoke(item: WorkItem, dequeueCount: number): Promise<InstanceMessage> {
    const taskId = item.taskId;
    const invoker = this.options.activities.get(item.name);
    if (!invoker) {
      const message = `The function '${item.name}' doesn't exist, is disabled, or is not an activity function.`;
      return { kind: "activityFailed", taskId, message, details: "" };
    }
    if (dequeueCount > MAX_DEQUEUE) {
      const message = `The activity was started ${dequeueCount - 1} times and its host stopped each time.`;
      return { kind: "activityFailed", taskId, message, details: "" };
    }
    try {
      const result = await invoker(item.input, {
        name: item.name,
        instanceId: item.instanceId,
        executionId: item.executionId,
        taskId,
        dequeueCount,
      });
      JSON.stringify(result); // an unserialisable result fails the task here, not in the queue forever
      return { kind: "activityCompleted", taskId, result };
    } catch (thrown) {
      return { kind: "activityFailed", taskId, message: ensureError(thrown).message, details: "" };
    }
  }
}
