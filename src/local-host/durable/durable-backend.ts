import { randomUUID } from "node:crypto";
import type { LogHandler } from "@azure/functions";
import type { StorageClients } from "../../storage/clients.js";
import { ActivityDispatcher, type ActivityInvoker } from "./activity-dispatcher.js";
import { type DurableClientBinding, durableClientBinding } from "./client-binding.js";
import { Committer } from "./committer.js";
import { ControlDispatcher } from "./control-dispatcher.js";
import { DeliveryKeeper } from "./delivery-keeper.js";
import { functionLookup } from "./function-table.js";
import { HubLease } from "./hub-lease.js";
import { InstanceStore } from "./instance-store.js";
import { KeyedLock } from "./keyed-lock.js";
import { handleManagementRequest } from "./management-api.js";
import { type ControlMessage, controlMessageSchema } from "./messages.js";
import { OrchestrationClient } from "./orchestration-client.js";
import { QueueChannel } from "./queue-channel.js";
import { type RecoveryReport, recoverTaskHub } from "./recovery.js";
import { repairTaskHub } from "./repair.js";
import type { OrchestrationTriggerHandler } from "./replay-episode.js";
import { ensureTaskHub, type TaskHubNames, taskHubNames } from "./task-hub.js";

export type DurableLogLevel = "information" | "warning" | "error";

export interface DurableBackendOptions {
  clients: StorageClients;
  /** Task hub name (host.json `extensions.durableTask.hubName`). */
  taskHub: string;
  /** Registered orchestrations: name (any case) → the library's Orchestrator handler (`df.app.orchestration`). */
  orchestrations: ReadonlyMap<string, OrchestrationTriggerHandler>;
  /** Registered activities: name → a call of the activity function with its input. */
  activities: ReadonlyMap<string, ActivityInvoker>;
  /** host.json `maxConcurrentActivityFunctions`; default 10. */
  maxConcurrentActivities?: number;
  /** host.json `maxConcurrentOrchestratorFunctions`: instances running an episode at once; default 4. */
  maxConcurrentOrchestrations?: number;
  /** Origin of the Functions host, e.g. `http://127.0.0.1:7071` (check-status URLs point there). */
  hostUrl: string;
  /** Where `DurableClient` sends its calls; must end in `/`, e.g. `http://127.0.0.1:7071/durabletask/`. */
  rpcBaseUrl: string;
  /** Key required on `/runtime/webhooks/durabletask/` routes and written into their URLs. */
  systemKey?: string;
  /** Another key accepted there (the master key). */
  masterKey?: string;
  /** How long a received message stays invisible before another receiver gets it; default 10 s. */
  visibilityTimeoutMs?: number;
  /** Idle polling interval of the queues; default 100 ms. */
  pollIntervalMs?: number;
  /**
   * How long activity answers wait for the other calls of their instance still running here, to be
   * consumed by one episode; default 50 ms (see ControlDispatcher).
   */
  answerWindowMs?: number;
  /** Page size of instance lists when the caller gives none; default 100. */
  listPageSize?: number;
  /** How long `start` waits for a hub lease held by another live host; default 30 s. */
  leaseWaitMs?: number;
  /**
   * Pause between repair scans, which make up for writes storage lost while this host ran (see
   * repair.ts); also how long an instance must be unchanged before lost messages are sent again.
   * Default 10 s; 0 runs no scan.
   */
  repairIntervalMs?: number;
  log?: (level: DurableLogLevel, message: string) => void;
  /** Receives the orchestrators' `context.log` lines. */
  logHandler?: LogHandler;
}

/** The Durable extension's side of the local host, with its state in Azure Storage (Azurite). */
export interface DurableBackend {
  readonly names: TaskHubNames;
  /** Start, query, signal and purge instances without HTTP. */
  readonly client: OrchestrationClient;
  /** Takes the hub lease, finishes interrupted commits, then runs orchestrations and activities. */
  start(): Promise<RecoveryReport>;
  /** Stops receiving, lets running episodes and activities finish, releases the hub. */
  stop(): Promise<void>;
  /** Stops at once as a killed process would: nothing is acknowledged, released or written any more. */
  kill(): void;
  /** The management API under `/runtime/webhooks/durabletask/` and the rpc base path. */
  handleManagementRequest(request: Request): Promise<Response>;
  /** The `durableClient` binding value for `context.extraInputs`. */
  bindingValue(): DurableClientBinding;
}

/** Builds the backend; nothing runs before `start()` (the client may already write). */
export function createDurableBackend(options: DurableBackendOptions): DurableBackend {
  const names = taskHubNames(options.taskHub);
  const visibilityMs = options.visibilityTimeoutMs ?? 10_000;
  const pollMs = options.pollIntervalMs ?? 100;
  const listPageSize = options.listPageSize ?? 100;
  const log = options.log ?? defaultLog;
  const state = { started: false, stopping: false, killed: false };
  const receiving = () => state.started && !state.stopping && !state.killed;
  const alive = () => !state.killed;

  const { clients } = options;
  const orchestrations = functionLookup(options.orchestrations);
  const activities = functionLookup(options.activities);
  const container = clients.blob.getContainerClient(names.stateContainer);
  const onPoison = (messageId: string, problem: string) =>
    log("error", `Dropped unreadable durable message ${messageId}: ${problem}`);
  const control = new QueueChannel<ControlMessage>({
    queue: clients.queue.getQueueClient(names.controlQueue),
    spill: container,
    schema: controlMessageSchema,
    onPoison,
  });
  const store = new InstanceStore(clients, names);
  const lock = new KeyedLock();
  const keeper = new DeliveryKeeper(visibilityMs, (_delivery, problem) =>
    log(
      "warning",
      `A held durable message could not be renewed and will be delivered again: ${String(problem)}`,
    ),
  );
  let controlDispatcher: ControlDispatcher | undefined;
  const activityDispatcher = new ActivityDispatcher({
    activities,
    maxConcurrent: options.maxConcurrentActivities ?? 10,
    receiving,
    alive,
    answer: (message) => controlDispatcher?.deliver(message),
  });
  const committer = new Committer({
    store,
    control,
    dispatch: (item) => activityDispatcher.submit(item),
    alive,
    sent: (dueAt) => controlDispatcher?.sent(dueAt),
  });
  const client = new OrchestrationClient({
    store,
    committer,
    lock,
    control,
    orchestrations,
    listPageSize,
    sent: () => controlDispatcher?.sent(),
  });
  const owner = randomUUID();
  const kill = () => {
    state.killed = true;
    clearTimeout(repairTimer);
    lease.abandon();
    keeper.stop();
    void controlDispatcher?.stopped();
    void activityDispatcher.stopped(false);
  };
  const lease = new HubLease({
    container,
    owner,
    waitMs: options.leaseWaitMs ?? 30_000,
    log,
    onLost: (problem) => {
      log("error", `Task hub '${names.hub}' lease lost (${problem}); this host stops running it.`);
      kill();
    },
  });
  const keys = [options.systemKey, options.masterKey].filter((k): k is string => Boolean(k));
  const rpcPath = new URL(options.rpcBaseUrl).pathname;

  let starting: Promise<RecoveryReport> | undefined;
  const begin = async (): Promise<RecoveryReport> => {
    await ensureTaskHub(clients, names);
    const cleanStop = await lease.acquire();
    const report = await recoverTaskHub(store, committer, {
      submit: (item, count) => activityDispatcher.submit(item, count),
      countRestarts: !cleanStop,
    });
    state.started = true;
    keeper.start();
    controlDispatcher = new ControlDispatcher({
      control,
      store,
      committer,
      keeper,
      lock,
      orchestrations,
      maxConcurrentEpisodes: options.maxConcurrentOrchestrations ?? 4,
      answerWindowMs: options.answerWindowMs ?? 50,
      activitiesPending: (instanceId) => activityDispatcher.hasCallsFor(instanceId),
      visibilityMs,
      pollMs,
      receiving,
      alive,
      log,
      logHandler: options.logHandler,
    });
    controlDispatcher.start();
    activityDispatcher.start();
    startRepairs(controlDispatcher);
    return report;
  };

  const repairMs = options.repairIntervalMs ?? 10_000;
  let repairTimer: NodeJS.Timeout | undefined;
  const suspects = new Set<string>();
  const startRepairs = (dispatcher: ControlDispatcher) => {
    if (repairMs <= 0) return;
    const scan = async () => {
      try {
        const report = await repairTaskHub({
          store,
          committer,
          activityInFlight: (item) => activityDispatcher.has(item) || dispatcher.holdsAnswer(item),
          instanceBusy: (id) => dispatcher.isBusy(id),
          submit: (item) => activityDispatcher.submit(item),
          quietMs: repairMs,
          now: () => new Date(),
          newId: randomUUID,
          suspects,
        });
        // A cache dropped alone may just have raced a commit: only work sent again is news.
        const repaired = report.activities + report.messages;
        if (repaired > 0) {
          log(
            "warning",
            `Storage lost writes of task hub '${names.hub}': reloaded ${report.staleCaches.length} record(s), submitted ${report.activities} activity call(s) and sent ${report.messages} message(s) again.`,
          );
        }
      } catch (thrown) {
        log("warning", `The durable repair scan failed; it runs again later: ${String(thrown)}`);
      }
      if (receiving()) repairTimer = setTimeout(() => void scan(), repairMs).unref();
    };
    repairTimer = setTimeout(() => void scan(), repairMs).unref();
  };

  return {
    names,
    client,
    start() {
      starting ??= begin();
      return starting;
    },
    async stop() {
      if (state.stopping || state.killed) return;
      state.stopping = true;
      clearTimeout(repairTimer);
      await activityDispatcher.stopped(true);
      await controlDispatcher?.stopped();
      keeper.stop();
      if (state.started) await lease.release();
    },
    kill,
    handleManagementRequest: (request) =>
      handleManagementRequest(
        {
          client,
          taskHub: names.hub,
          hostUrl: options.hostUrl,
          rpcPath,
          keys,
          systemKey: options.systemKey,
          listPageSize,
        },
        request,
      ),
    bindingValue: () =>
      durableClientBinding({
        taskHub: names.hub,
        hostUrl: options.hostUrl,
        rpcBaseUrl: options.rpcBaseUrl,
        systemKey: options.systemKey,
      }),
  };
}

function defaultLog(level: DurableLogLevel, message: string): void {
  if (level !== "information") process.stderr.write(`[durable ${level}] ${message}\n`);
}
