import { randomUUID } from "node:crypto";
import { errors } from "../../errors.js";
import type { Committer } from "./committer.js";
import type { FunctionLookup } from "./function-table.js";
import { newInstance, type RuntimeStatus } from "./instance.js";
import { type InstanceFilter, instanceFilterText } from "./instance-query.js";
import { type InstanceRow, type InstanceStore, rowFromEntity } from "./instance-store.js";
import type { KeyedLock } from "./keyed-lock.js";
import type { ControlMessage } from "./messages.js";
import type { QueueChannel } from "./queue-channel.js";
import type { OrchestrationTriggerHandler } from "./replay-episode.js";
import { type OrchestrationStatus, type StatusDetail, statusBody } from "./status-body.js";
import { isTerminal, storedInstance } from "./stored-instance.js";

/** What an operation on an existing instance found: done, no such instance, or already finished. */
export type OperationOutcome = "accepted" | "notFound" | "finished";

export interface ListQuery extends InstanceFilter {
  /** Page size; the backend's default page size when absent. */
  top?: number;
  continuationToken?: string;
  showInput?: boolean;
}

export interface InstancePage {
  instances: OrchestrationStatus[];
  /** Present while more pages exist. */
  continuationToken?: string;
}

export interface OrchestrationClientOptions {
  store: InstanceStore;
  committer: Committer;
  lock: KeyedLock;
  control: QueueChannel<ControlMessage>;
  orchestrations: FunctionLookup<OrchestrationTriggerHandler>;
  listPageSize: number;
  /** Wakes the control dispatcher after a message was sent. */
  sent: () => void;
}

/** Instance ids are table keys and URL segments: no `/ \\ # ?` and no control characters. */
function isValidInstanceId(id: string): boolean {
  if (id.length === 0 || id.length > 256 || /[/\\#?]/.test(id)) return false;
  return ![...id].some((c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 || (code >= 0x7f && code <= 0x9f);
  });
}

/**
 * The client side of the local Durable backend: what the HTTP management API and `DurableClient`
 * do, as plain calls. Every change goes through the control queue or a commit, never around them.
 */
export class OrchestrationClient {
  constructor(private readonly options: OrchestrationClientOptions) {}

  /** Starts (or restarts, whatever its state) an instance; returns its id. */
  async start(name: string, options: { instanceId?: string; input?: unknown } = {}): Promise<string> {
    if (this.options.orchestrations.get(name) === undefined) {
      throw errors.invalidInput(
        `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`,
      );
    }
    const instanceId = options.instanceId ?? randomUUID().replaceAll("-", "");
    if (!isValidInstanceId(instanceId)) {
      throw errors.invalidInput(
        `Instance id '${instanceId}' must be 1-256 characters without '/', '\\', '#', '?' or control characters.`,
      );
    }
    const { store, committer } = this.options;
    await this.options.lock.run(instanceId, async () => {
      const existing = await store.load(instanceId);
      const executionId = randomUUID();
      const record = newInstance({
        instanceId,
        executionId,
        name,
        input: options.input ?? null,
        now: new Date(),
      });
      const stored = storedInstance(record);
      stored.version = existing?.stored.version ?? 0;
      const start: ControlMessage = { id: randomUUID(), instanceId, executionId, body: { kind: "start" } };
      await committer.commit(stored, [{ queue: "control", message: start }], existing?.etag);
    });
    return instanceId;
  }

  /** The status of an instance, or undefined when there is none. */
  async status(
    instanceId: string,
    detail: Partial<StatusDetail> = {},
  ): Promise<OrchestrationStatus | undefined> {
    const row = await this.options.store.readRow(instanceId);
    if (!row) return undefined;
    return this.toStatus(row, {
      showInput: detail.showInput ?? true,
      showHistory: detail.showHistory ?? false,
      showHistoryOutput: detail.showHistoryOutput ?? false,
    });
  }

  /** One page of instances matching the query, in instance id order. */
  async list(query: ListQuery = {}): Promise<InstancePage> {
    const pages = this.options.store.table
      .listEntities({ queryOptions: { filter: instanceFilterText(query) } })
      .byPage({
        maxPageSize: query.top ?? this.options.listPageSize,
        continuationToken: query.continuationToken,
      });
    const page = await pages.next();
    if (page.done) return { instances: [] };
    const detail = { showInput: query.showInput ?? false, showHistory: false, showHistoryOutput: false };
    const instances = await Promise.all(
      page.value.map((entity) => this.toStatus(rowFromEntity(entity), detail)),
    );
    return { instances, continuationToken: page.value.continuationToken || undefined };
  }

  async raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<OperationOutcome> {
    return this.send(instanceId, { kind: "eventRaised", name: eventName, input: data });
  }

  async terminate(instanceId: string, reason: string): Promise<OperationOutcome> {
    return this.send(instanceId, { kind: "terminate", reason });
  }

  async suspend(instanceId: string, reason: string): Promise<OperationOutcome> {
    return this.send(instanceId, { kind: "suspend", reason });
  }

  async resume(instanceId: string, reason: string): Promise<OperationOutcome> {
    return this.send(instanceId, { kind: "resume", reason });
  }

  /** Deletes a finished instance's record and row; the number deleted (0 when absent or not finished). */
  async purge(instanceId: string): Promise<number> {
    const { store } = this.options;
    return this.options.lock.run(instanceId, async () => {
      const loaded = await store.load(instanceId);
      if (!loaded || !isTerminal(loaded.stored.record.runtimeStatus)) return 0;
      await store.remove(instanceId);
      return 1;
    });
  }

  /** Purges every finished instance matching the filter; the number deleted. */
  async purgeBy(filter: InstanceFilter): Promise<number> {
    const finished: RuntimeStatus[] = ["Completed", "Failed", "Terminated"];
    const statuses = filter.runtimeStatus?.length
      ? finished.filter((s) => filter.runtimeStatus?.includes(s))
      : finished;
    if (statuses.length === 0) return 0;
    const text = instanceFilterText({ ...filter, runtimeStatus: statuses });
    const ids: string[] = [];
    for await (const entity of this.options.store.table.listEntities({ queryOptions: { filter: text } })) {
      ids.push(rowFromEntity(entity).instanceId);
    }
    let deleted = 0;
    for (const id of ids) deleted += await this.purge(id);
    return deleted;
  }

  private async send(instanceId: string, body: ControlMessage["body"]): Promise<OperationOutcome> {
    const row = await this.options.store.readRow(instanceId);
    if (!row) return "notFound";
    if (isTerminal(row.runtimeStatus)) return "finished";
    await this.options.control.send({ id: randomUUID(), instanceId, body });
    this.options.sent();
    return "accepted";
  }

  private async toStatus(row: InstanceRow, detail: StatusDetail): Promise<OrchestrationStatus> {
    const needsRecord = row.largeValues || detail.showHistory;
    const loaded = needsRecord ? await this.options.store.load(row.instanceId) : undefined;
    const record = loaded?.stored.record;
    if (record) return statusBody(record, detail, record);
    const values = {
      input: parse(row.input),
      output: parse(row.output),
      customStatus: parse(row.customStatus),
    };
    return statusBody({ ...row, ...values }, detail);
  }
}

function parse(text: string | undefined): unknown {
  return text === undefined ? null : JSON.parse(text);
}
