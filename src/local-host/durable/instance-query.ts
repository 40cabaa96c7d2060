import { odata } from "@azure/data-tables";
import type { RuntimeStatus } from "./instance.js";
import { encodeInstanceId } from "./task-hub.js";

/** Filters of the list and purge-by-filter operations (the HTTP API's query parameters). */
export interface InstanceFilter {
  createdTimeFrom?: Date;
  createdTimeTo?: Date;
  /** `Canceled` is accepted (DurableClient knows it) and matches nothing: no instance is ever Canceled. */
  runtimeStatus?: Array<RuntimeStatus | "Canceled">;
  instanceIdPrefix?: string;
}

/** The OData filter of the instances table for `filter`; undefined when nothing is filtered. */
export function instanceFilterText(filter: InstanceFilter): string | undefined {
  const clauses: string[] = [];
  if (filter.createdTimeFrom) clauses.push(odata`createdTime ge ${filter.createdTimeFrom}`);
  if (filter.createdTimeTo) clauses.push(odata`createdTime le ${filter.createdTimeTo}`);
  const statuses = filter.runtimeStatus ?? [];
  if (statuses.length > 0) {
    clauses.push(`(${statuses.map((status) => odata`runtimeStatus eq ${status}`).join(" or ")})`);
  }
  if (filter.instanceIdPrefix) {
    const low = encodeInstanceId(filter.instanceIdPrefix);
    const high = `${low.slice(0, -1)}${String.fromCharCode(low.charCodeAt(low.length - 1) + 1)}`;
    clauses.push(odata`PartitionKey ge ${low} and PartitionKey lt ${high}`);
  }
  return clauses.length > 0 ? clauses.join(" and ") : undefined;
}
