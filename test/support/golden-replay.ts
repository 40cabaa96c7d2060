import azureFunctions from "@azure/functions";
import type { OrchestrationHandler } from "durable-functions";
import type { HistoryEvent } from "../../src/local-host/durable/history.js";
import {
  actionInput,
  answerFromState,
  type EpisodeAnswer,
} from "../../src/local-host/durable/orchestrator-state.js";
import { orchestratorHandler } from "./durable-runner.js";

/** One instance of a recorded history. */
export interface RecordedInstance {
  instanceId: string;
  name: string;
  input: unknown;
  parentInstanceId?: string;
  history: HistoryEvent[];
}

/** Replays a whole recorded history through the real library once, as the extension does. */
export async function replay(fn: OrchestrationHandler, instance: RecordedInstance): Promise<EpisodeAnswer> {
  return answerFromState(
    await orchestratorHandler(fn)(
      {
        history: instance.history,
        input: instance.input,
        instanceId: instance.instanceId,
        isReplaying: true,
        parentInstanceId: instance.parentInstanceId ?? "",
        upperSchemaVersion: 1,
        upperSchemaVersionNew: 2,
      },
      new azureFunctions.InvocationContext({ functionName: instance.name }),
    ),
  );
}

/** The schedule an answer holds: each action's type, function and input, in order. */
export function schedule(answer: EpisodeAnswer): Array<{ type: number; name?: string; input?: unknown }> {
  return answer.actions.map((action) => ({
    type: action.actionType,
    name: "functionName" in action ? action.functionName : undefined,
    input: "input" in action ? actionInput(action.input) : undefined,
  }));
}
