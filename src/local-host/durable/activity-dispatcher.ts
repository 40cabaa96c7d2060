import { randomUUID } from "node:crypto";
import { ensureError } from "../../errors.js";
import type { FunctionLookup } from "./function-table.js";
import type { InstanceMessage } from "./instance.js";
import type { ControlMessage, WorkItem } from "./messages.js";

/** A task whose host died this many times while it ran fails without running again. */
const MAX_DISPATCHES = 10;

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
  activities: FunctionLookup<ActivityInvoker>;
  maxConcurrent: number;
  /** False once the backend stops or is killed: start no more. */
  receiving: () => boolean;
  /** False once the backend is killed: answer nothing more. */
  alive: () => boolean;
  /** Takes each activity's answer (the control dispatcher, in memory). */
  answer: (message: ControlMessage) => void;
}

interface Waiting {
  item: WorkItem;
  dequeueCount: number;
}

/**
 * Runs activity calls in this process, at most `maxConcurrent` at once (host.json
 * `maxConcurrentActivityFunctions`), and hands each answer to its instance in memory. Work items do
 * not travel through a queue: the hub lease makes this host the only runner, and every call is in
 * its instance's committed record (an open task) before it is submitted here. A host that dies
 * loses the calls waiting or running here and the answers not yet committed; recovery submits every
 * open activity task again, so each activity runs at least once and its result counts once.
 */
export class ActivityDispatcher {
  private readonly waiting: Waiting[] = [];
  /** Calls waiting or running, by instance, execution and task: a call submitted twice runs once. */
  private readonly known = new Set<string>();
  /** Calls waiting or running, by instance id (count). */
  private readonly byInstance = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private started = false;

  constructor(private readonly options: ActivityDispatcherOptions) {}

  /** Queues an activity call; `dequeueCount` counts the hosts that already started it. */
  submit(item: WorkItem, dequeueCount = 1): void {
    const key = callKey(item);
    if (this.known.has(key)) return;
    this.known.add(key);
    this.byInstance.set(item.instanceId, (this.byInstance.get(item.instanceId) ?? 0) + 1);
    this.waiting.push({ item, dequeueCount });
    this.pump();
  }

  /** Whether a call for this task is waiting or running here. */
  has(call: Pick<WorkItem, "instanceId" | "executionId" | "taskId">): boolean {
    return this.known.has(callKey(call));
  }

  /** Whether calls of this instance are waiting or running here (their answers are still to come). */
  hasCallsFor(instanceId: string): boolean {
    return this.byInstance.has(instanceId);
  }

  /** Starts running what was submitted (recovery submits before the host starts). */
  start(): void {
    this.started = true;
    this.pump();
  }

  /** Starts no more; resolves when, if `drain`, every running activity has answered. */
  async stopped(drain: boolean): Promise<void> {
    this.started = false;
    if (drain) await Promise.all(this.running);
  }

  private pump(): void {
    const { maxConcurrent, receiving } = this.options;
    while (this.started && receiving() && this.running.size < maxConcurrent) {
      const next = this.waiting.shift();
      if (!next) return;
      const run = this.run(next).finally(() => {
        this.running.delete(run);
        this.pump();
      });
      this.running.add(run);
    }
  }

  private async run({ item, dequeueCount }: Waiting): Promise<void> {
    let outcome: InstanceMessage;
    try {
      outcome = await this.invoke(item, dequeueCount);
    } finally {
      this.settle(item);
    }
    if (!this.options.alive()) return;
    this.options.answer({
      id: randomUUID(),
      instanceId: item.instanceId,
      executionId: item.executionId,
      body: outcome,
    });
  }

  /** Forgets a call that ended, before its answer is handed over (so the answer sees no sibling of itself). */
  private settle(item: WorkItem): void {
    this.known.delete(callKey(item));
    const left = (this.byInstance.get(item.instanceId) ?? 1) - 1;
    if (left > 0) this.byInstance.set(item.instanceId, left);
    else this.byInstance.delete(item.instanceId);
  }

  private async invoke(item: WorkItem, dequeueCount: number): Promise<InstanceMessage> {
    const taskId = item.taskId;
    const invoker = this.options.activities.get(item.name);
    if (!invoker) {
      const message = `The function '${item.name}' doesn't exist, is disabled, or is not an activity function.`;
      return { kind: "activityFailed", taskId, message, details: "" };
    }
    if (dequeueCount > MAX_DISPATCHES) {
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
      JSON.stringify(result); // an unserialisable result fails the task here, not in the record
      return { kind: "activityCompleted", taskId, result };
    } catch (thrown) {
      return { kind: "activityFailed", taskId, message: ensureError(thrown).message, details: "" };
    }
  }
}

function callKey(item: Pick<WorkItem, "instanceId" | "executionId" | "taskId">): string {
  return `${item.instanceId}\n${item.executionId}\n${item.taskId}`;
}
