import { z } from "zod";
import type { InstanceMessage } from "./instance.js";

/**
 * The messages of the local Durable backend, as they travel through the hub's queues and sit in an
 * instance record's outbox. Parsed with these schemas wherever they are read back.
 */

const taskId = z.number().int().nonnegative();

/** What happened to an instance's work, or an event raised to it (the episode loop's input). */
export const instanceMessageSchema: z.ZodType<InstanceMessage> = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("activityCompleted"), taskId, result: z.unknown() }),
  z.object({ kind: z.literal("activityFailed"), taskId, message: z.string(), details: z.string() }),
  z.object({ kind: z.literal("subOrchestrationCompleted"), taskId, result: z.unknown() }),
  z.object({
    kind: z.literal("subOrchestrationFailed"),
    taskId,
    message: z.string(),
    details: z.string(),
  }),
  z.object({ kind: z.literal("timerFired"), timerId: taskId, fireAt: z.coerce.date() }),
  z.object({ kind: z.literal("eventRaised"), name: z.string(), input: z.unknown() }),
]);

const operationSchema = z.discriminatedUnion("kind", [
  /** Runs the first episode of an instance whose record the client wrote. */
  z.object({ kind: z.literal("start") }),
  /** Creates a sub-orchestration instance (sent by its parent's episode) and runs its first episode. */
  z.object({
    kind: z.literal("createSubOrchestration"),
    name: z.string(),
    input: z.unknown(),
    executionId: z.string(),
    parentInstanceId: z.string(),
    parentExecutionId: z.string(),
    parentTaskId: taskId,
  }),
  z.object({ kind: z.literal("terminate"), reason: z.string() }),
  z.object({ kind: z.literal("suspend"), reason: z.string() }),
  z.object({ kind: z.literal("resume"), reason: z.string() }),
]);
export type InstanceOperation = z.infer<typeof operationSchema>;

/** A message of the control queue, addressed to one instance. */
export const controlMessageSchema = z.object({
  /** Unique per message; raised events are delivered once per id. */
  id: z.string(),
  instanceId: z.string(),
  /** The execution the message belongs to; messages for an older execution are dropped. */
  executionId: z.string().optional(),
  body: z.union([operationSchema, instanceMessageSchema]),
});
export type ControlMessage = z.infer<typeof controlMessageSchema>;

/** A message of the work-item queue: one activity call. */
export const workItemSchema = z.object({
  id: z.string(),
  instanceId: z.string(),
  executionId: z.string(),
  taskId,
  name: z.string(),
  input: z.unknown(),
});
export type WorkItem = z.infer<typeof workItemSchema>;

/** A message an episode produced, not yet known to be in its queue. */
export const outboundSchema = z.discriminatedUnion("queue", [
  z.object({
    queue: z.literal("control"),
    message: controlMessageSchema,
    /** Timers: when the message may be delivered. */
    deliverAt: z.coerce.date().optional(),
  }),
  z.object({ queue: z.literal("work"), message: workItemSchema }),
]);
export type Outbound = z.infer<typeof outboundSchema>;

/** Whether a control message body is a message for the episode loop (not an operation). */
export function isInstanceMessage(body: ControlMessage["body"]): body is InstanceMessage {
  return (
    body.kind === "activityCompleted" ||
    body.kind === "activityFailed" ||
    body.kind === "subOrchestrationCompleted" ||
    body.kind === "subOrchestrationFailed" ||
    body.kind === "timerFired" ||
    body.kind === "eventRaised"
  );
}
