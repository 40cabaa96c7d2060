import { z } from "zod";

/**
 * The orchestrator's answer to one episode (`OrchestratorState` of durable-functions), parsed, and
 * its cumulative actions flattened into the order in which the library allocated their ids.
 */

export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  WhenAny: 11,
  WhenAll: 12,
} as const;

export const retryOptionsSchema = z.object({
  firstRetryIntervalInMilliseconds: z.number().positive(),
  maxNumberOfAttempts: z.number().int().min(1),
  backoffCoefficient: z.number().positive().optional(),
  maxRetryIntervalInMilliseconds: z.number().optional(),
  retryTimeoutInMilliseconds: z.number().optional(),
});
export type RetryOptionsValue = z.infer<typeof retryOptionsSchema>;

const callActivity = z.object({ actionType: z.literal(0), functionName: z.string(), input: z.unknown() });
const callActivityWithRetry = callActivity.extend({
  actionType: z.literal(1),
  retryOptions: retryOptionsSchema,
});
const callSubOrchestrator = z.object({
  actionType: z.literal(2),
  functionName: z.string(),
  instanceId: z.string().optional().nullable(),
  input: z.unknown(),
});
const callSubOrchestratorWithRetry = callSubOrchestrator.extend({
  actionType: z.literal(3),
  retryOptions: retryOptionsSchema,
});
const continueAsNew = z.object({ actionType: z.literal(4), input: z.unknown() });
const createTimer = z.object({
  actionType: z.literal(5),
  fireAt: z.coerce.date(),
  isCanceled: z.boolean().default(false),
});
const waitForExternalEvent = z.object({ actionType: z.literal(6), externalEventName: z.string() });
const unsupported = z.object({
  actionType: z.union([z.literal(7), z.literal(8), z.literal(9), z.literal(13), z.literal(14)]),
});

export const leafActionSchema = z.discriminatedUnion("actionType", [
  callActivity,
  callActivityWithRetry,
  callSubOrchestrator,
  callSubOrchestratorWithRetry,
  continueAsNew,
  createTimer,
  waitForExternalEvent,
  unsupported,
]);
export type LeafAction = z.infer<typeof leafActionSchema>;

/** Parsed state of one episode. */
export interface EpisodeAnswer {
  isDone: boolean;
  output: unknown;
  customStatus: unknown;
  error?: string;
  /** Id-taking and other leaf actions, deduplicated, in the library's allocation order. */
  actions: LeafAction[];
}

const OUT_OF_PROC_LABEL = "\n\n$OutOfProcData$:";

const stateSchema = z.object({
  isDone: z.boolean(),
  actions: z.array(z.array(z.unknown())),
  output: z.unknown(),
  customStatus: z.unknown().optional(),
  error: z.string().optional(),
});

/** Reads what the handler returned. */
export function answerFromState(value: unknown): EpisodeAnswer {
  const state = stateSchema.parse(value);
  return {
    isDone: state.isDone,
    output: state.output,
    customStatus: state.customStatus,
    error: state.error,
    actions: flattenActions(state.actions.flat()),
  };
}

/**
 * Reads what the handler threw: an orchestrator failure carries its state after a label; anything
 * else is a failure of the orchestrator function itself.
 */
export function answerFromFailure(thrown: unknown): EpisodeAnswer {
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  const at = message.indexOf(OUT_OF_PROC_LABEL);
  if (at < 0)
    return { isDone: false, output: undefined, customStatus: undefined, error: message, actions: [] };
  const parsed = stateSchema.partial().safeParse(JSON.parse(message.slice(at + OUT_OF_PROC_LABEL.length)));
  const state = parsed.success ? parsed.data : {};
  return {
    isDone: false,
    output: undefined,
    customStatus: state.customStatus,
    error: state.error ?? message.slice(0, at),
    actions: [],
  };
}

const compoundActionSchema = z.object({
  actionType: z.union([z.literal(ActionType.WhenAny), z.literal(ActionType.WhenAll)]),
  compoundActions: z.array(z.unknown()),
});

/**
 * Depth-first, first appearance wins: a task yielded again inside a new `Task.any`/`Task.all` is the
 * same action object and keeps the id it was given the first time.
 */
function flattenActions(actions: unknown[]): LeafAction[] {
  const seen = new Set<unknown>();
  const leaves: LeafAction[] = [];
  const visit = (action: unknown) => {
    if (seen.has(action)) return;
    seen.add(action);
    const asCompound = compoundActionSchema.safeParse(action);
    if (asCompound.success) {
      for (const child of asCompound.data.compoundActions) visit(child);
      return;
    }
    leaves.push(leafActionSchema.parse(action));
  };
  for (const action of actions) visit(action);
  return leaves;
}

/** Whether an action takes the next task id (activities, sub-orchestrations, timers, entity and HTTP calls). */
export function takesId(action: LeafAction): boolean {
  return (
    action.actionType !== ActionType.WaitForExternalEvent && action.actionType !== ActionType.ContinueAsNew
  );
}

/** The library sends a string input already JSON-encoded (Utils.processInput); decode it back. */
export function actionInput(input: unknown): unknown {
  if (typeof input !== "string") return input;
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}
