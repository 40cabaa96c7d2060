import type { InstanceMessage, Work } from "./instance.js";
import type { Outbound } from "./messages.js";
import type { StoredInstance } from "./stored-instance.js";

/** Makes the unique ids of messages and executions (`randomUUID` in the host, a counter in tests). */
export type IdSource = () => string;

/** Turns the work an episode asked for into the messages that carry it. */
export function outboundFor(stored: StoredInstance, work: Work, newId: IdSource): Outbound {
  const { record } = stored;
  switch (work.kind) {
    case "activity":
      return {
        queue: "work",
        message: {
          id: newId(),
          instanceId: record.instanceId,
          executionId: record.executionId,
          taskId: work.taskId,
          name: work.name,
          input: work.input,
        },
      };
    case "timer":
      return {
        queue: "control",
        message: {
          id: newId(),
          instanceId: record.instanceId,
          executionId: record.executionId,
          body: { kind: "timerFired", timerId: work.timerId, fireAt: work.fireAt },
        },
        deliverAt: work.fireAt,
      };
    case "startSubOrchestration":
      return {
        queue: "control",
        message: {
          id: newId(),
          instanceId: work.instanceId,
          body: {
            kind: "createSubOrchestration",
            name: work.name,
            input: work.input,
            executionId: newId(),
            parentInstanceId: record.instanceId,
            parentExecutionId: record.executionId,
            parentTaskId: work.taskId,
          },
        },
      };
    case "notifyParent":
      return toParent(stored, work.parentInstanceId, work.message, newId);
  }
}

/** A message for the parent of a sub-orchestration, addressed to the parent's execution. */
export function toParent(
  stored: StoredInstance,
  parentInstanceId: string,
  message: InstanceMessage,
  newId: IdSource,
): Outbound {
  return {
    queue: "control",
    message: {
      id: newId(),
      instanceId: parentInstanceId,
      executionId: stored.parentExecutionId,
      body: message,
    },
  };
}
