import type { RpcTypedData } from "./core-types.js";

const RAW = Symbol("rpcTypedData");

/** Binding data already in the worker's RPC form, passed through untouched. */
export interface RawTypedData {
  readonly [RAW]: RpcTypedData;
}

/** Wraps RPC typed data (e.g. `{ http: ... }`) so `toTypedData` passes it through as is. */
export function rawTypedData(data: RpcTypedData): RawTypedData {
  return { [RAW]: data };
}

function isRaw(value: unknown): value is RawTypedData {
  return typeof value === "object" && value !== null && RAW in value;
}

/**
 * Encodes a value as the host sends binding data: strings as `string` (which the library then
 * `tryJsonParse`s, as the worker does: pass JSON text to deliver the value it encodes), bytes as
 * `bytes`, integers as `int`, other numbers as `double`, `null` and objects as `json`.
 * `undefined` means no data.
 */
export function toTypedData(value: unknown): RpcTypedData | undefined {
  if (value === undefined) return undefined;
  if (isRaw(value)) return value[RAW];
  if (typeof value === "string") return { string: value };
  if (value instanceof Uint8Array) return { bytes: value };
  if (value instanceof ArrayBuffer) return { bytes: new Uint8Array(value) };
  if (typeof value === "number") return Number.isInteger(value) ? { int: value } : { double: value };
  return { json: JSON.stringify(value) };
}

/**
 * Decodes data the library returned: `json` parsed, `string` kept as text, `bytes` as a Buffer,
 * numbers as numbers, `http` as the RPC HTTP response.
 */
export function fromTypedData(data: RpcTypedData | null | undefined): unknown {
  if (!data) return undefined;
  if (typeof data.json === "string") return JSON.parse(data.json);
  if (typeof data.string === "string") return data.string;
  if (data.bytes) return Buffer.from(data.bytes);
  if (data.stream) return Buffer.from(data.stream);
  if (typeof data.int === "number") return data.int;
  if (typeof data.double === "number") return data.double;
  if (data.http) return data.http;
  return undefined;
}
