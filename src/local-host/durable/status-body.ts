import { EventType, type EventTypeValue, type HistoryEvent } from "./history.js";
import type { InstanceRecord, RuntimeStatus } from "./instance.js";

/**
 * The status of an instance as the Durable HTTP API answers it. `DurableClient` requires `name`,
 * `instanceId`, `createdTime`, `lastUpdatedTime`, `runtimeStatus` and the keys `input` and `output`.
 */
export interface OrchestrationStatus {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: Array<Record<string, unknown>>;
}

/** What a status answer shows besides the summary. */
export interface StatusDetail {
  showInput: boolean;
  showHistory: boolean;
  showHistoryOutput: boolean;
}

/** The summary values of an instance, parsed from its row or taken from its record. */
export interface StatusValues {
  instanceId: string;
  name: string;
  runtimeStatus: RuntimeStatus;
  createdTime: Date;
  lastUpdatedTime: Date;
  input: unknown;
  output: unknown;
  customStatus: unknown;
}

/** Times as the extension writes them: `YYYY-MM-DDTHH:MM:SSZ`. */
export function statusTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Builds the status body; `record` is needed only for `showHistory`. */
export function statusBody(
  values: StatusValues,
  detail: StatusDetail,
  record?: InstanceRecord,
): OrchestrationStatus {
  const body: OrchestrationStatus = {
    name: values.name,
    instanceId: values.instanceId,
    runtimeStatus: values.runtimeStatus,
    input: detail.showInput ? (values.input ?? null) : null,
    customStatus: values.customStatus ?? null,
    output: values.output ?? null,
    createdTime: statusTime(values.createdTime),
    lastUpdatedTime: statusTime(values.lastUpdatedTime),
  };
  if (detail.showHistory && record) body.historyEvents = historyEvents(record, detail);
  return body;
}

const HIDDEN: ReadonlySet<EventTypeValue> = new Set([
  EventType.OrchestratorStarted,
  EventType.OrchestratorCompleted,
  EventType.TaskScheduled,
  EventType.SubOrchestrationInstanceCreated,
  EventType.GenericEvent,
  EventType.HistoryState,
  EventType.EventSent,
]);

const EVENT_NAMES = new Map<number, string>(Object.entries(EventType).map(([name, value]) => [value, name]));

/**
 * The history the way the extension shows it (`showHistory=true`): event type names, no
 * OrchestratorStarted/Completed or scheduling events, completions carrying the `FunctionName` and
 * `ScheduledTime` of what they complete; results and inputs only with `showHistoryOutput`.
 */
export function historyEvents(record: InstanceRecord, detail: StatusDetail): Array<Record<string, unknown>> {
  const scheduled = new Map<number, HistoryEvent>();
  for (const event of record.history) {
    if (
      event.EventType === EventType.TaskScheduled ||
      event.EventType === EventType.SubOrchestrationInstanceCreated
    )
      scheduled.set(event.EventId, event);
  }
  const shown: Array<Record<string, unknown>> = [];
  for (const event of record.history) {
    if (HIDDEN.has(event.EventType)) continue;
    const entry: Record<string, unknown> = {
      EventType: EVENT_NAMES.get(event.EventType) ?? String(event.EventType),
      Timestamp: event.Timestamp.toISOString(),
    };
    const origin = event.TaskScheduledId === undefined ? undefined : scheduled.get(event.TaskScheduledId);
    if (origin) {
      entry.FunctionName = origin.Name;
      entry.ScheduledTime = origin.Timestamp.toISOString();
    }
    if (event.EventType === EventType.ExecutionStarted) {
      entry.FunctionName = event.Name;
      if (detail.showInput) entry.Input = parsed(event.Input);
    }
    if (event.EventType === EventType.EventRaised) {
      entry.Name = event.Name;
      if (detail.showHistoryOutput) entry.Input = parsed(event.Input);
    }
    if (event.FireAt) entry.FireAt = event.FireAt.toISOString();
    if (event.TimerId !== undefined) entry.TimerId = event.TimerId;
    if (event.Reason !== undefined) entry.Reason = event.Reason;
    if (event.Details) entry.Details = event.Details;
    if (event.EventType === EventType.ExecutionTerminated && detail.showHistoryOutput)
      entry.Input = parsed(event.Input);
    if (event.Result !== undefined && detail.showHistoryOutput) entry.Result = parsed(event.Result);
    if (event.EventType === EventType.ExecutionCompleted) entry.OrchestrationStatus = "Completed";
    if (event.EventType === EventType.ExecutionFailed) entry.OrchestrationStatus = "Failed";
    shown.push(entry);
  }
  return shown;
}

function parsed(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
