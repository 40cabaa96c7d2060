/**
 * Durable Task history events, as the `durable-functions` library reads them (PascalCase fields,
 * numeric `EventType`). The local host appends these to an instance's history; the library replays
 * them. See ../shared/reference/durable-protocol.md, section 4.
 */

export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventSent: 14,
  EventRaised: 15,
  ContinueAsNew: 16,
  GenericEvent: 17,
  HistoryState: 18,
  ExecutionSuspended: 19,
  ExecutionResumed: 20,
} as const;
export type EventTypeValue = (typeof EventType)[keyof typeof EventType];

/** One history event. `Timestamp` is a Date in memory and an ISO string when stored. */
export interface HistoryEvent {
  EventType: EventTypeValue;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: Date;
  Name?: string;
  Input?: string;
  Result?: string;
  Reason?: string;
  Details?: string;
  TaskScheduledId?: number;
  TimerId?: number;
  FireAt?: Date;
  InstanceId?: string;
  OrchestrationInstance?: { InstanceId: string; ExecutionId: string };
  ParentInstance?: { OrchestrationInstance: { InstanceId: string } } | null;
}

function event(type: EventTypeValue, now: Date, fields: Partial<HistoryEvent> = {}): HistoryEvent {
  return { EventType: type, EventId: -1, IsPlayed: false, Timestamp: now, ...fields };
}

/** JSON text of a value as history carries it; `undefined` stays absent. */
export function toJsonText(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

export const history = {
  orchestratorStarted: (now: Date) => event(EventType.OrchestratorStarted, now),
  orchestratorCompleted: (now: Date) => event(EventType.OrchestratorCompleted, now),
  executionStarted: (options: {
    now: Date;
    name: string;
    input: unknown;
    instanceId: string;
    executionId: string;
    parentInstanceId?: string;
  }) =>
    event(EventType.ExecutionStarted, options.now, {
      Name: options.name,
      Input: toJsonText(options.input),
      OrchestrationInstance: { InstanceId: options.instanceId, ExecutionId: options.executionId },
      ParentInstance: options.parentInstanceId
        ? { OrchestrationInstance: { InstanceId: options.parentInstanceId } }
        : null,
    }),
  executionCompleted: (now: Date, result: unknown) =>
    event(EventType.ExecutionCompleted, now, { Result: toJsonText(result) }),
  executionFailed: (now: Date, reason: string, details: string) =>
    event(EventType.ExecutionFailed, now, { Reason: reason, Details: details }),
  executionTerminated: (now: Date, reason: string) =>
    event(EventType.ExecutionTerminated, now, { Input: toJsonText(reason) }),
  taskScheduled: (now: Date, id: number, name: string, input: unknown) =>
    event(EventType.TaskScheduled, now, { EventId: id, Name: name, Input: toJsonText(input) }),
  taskCompleted: (now: Date, scheduledId: number, result: unknown) =>
    event(EventType.TaskCompleted, now, {
      TaskScheduledId: scheduledId,
      Result: toJsonText(result) ?? "null",
    }),
  taskFailed: (now: Date, scheduledId: number, reason: string, details: string) =>
    event(EventType.TaskFailed, now, { TaskScheduledId: scheduledId, Reason: reason, Details: details }),
  subOrchestrationCreated: (now: Date, id: number, name: string, instanceId: string, input: unknown) =>
    event(EventType.SubOrchestrationInstanceCreated, now, {
      EventId: id,
      Name: name,
      InstanceId: instanceId,
      Input: toJsonText(input),
    }),
  subOrchestrationCompleted: (now: Date, scheduledId: number, result: unknown) =>
    event(EventType.SubOrchestrationInstanceCompleted, now, {
      TaskScheduledId: scheduledId,
      Result: toJsonText(result) ?? "null",
    }),
  subOrchestrationFailed: (now: Date, scheduledId: number, reason: string, details: string) =>
    event(EventType.SubOrchestrationInstanceFailed, now, {
      TaskScheduledId: scheduledId,
      Reason: reason,
      Details: details,
    }),
  timerCreated: (now: Date, id: number, fireAt: Date) =>
    event(EventType.TimerCreated, now, { EventId: id, FireAt: fireAt }),
  timerFired: (now: Date, timerId: number, fireAt: Date) =>
    event(EventType.TimerFired, now, { TimerId: timerId, FireAt: fireAt }),
  eventRaised: (now: Date, name: string, input: unknown) =>
    event(EventType.EventRaised, now, { Name: name, Input: toJsonText(input) }),
  executionSuspended: (now: Date, reason: string) =>
    event(EventType.ExecutionSuspended, now, { Reason: reason }),
  executionResumed: (now: Date, reason: string) => event(EventType.ExecutionResumed, now, { Reason: reason }),
  continueAsNew: (now: Date, input: unknown) =>
    event(EventType.ContinueAsNew, now, { Result: toJsonText(input) }),
};
