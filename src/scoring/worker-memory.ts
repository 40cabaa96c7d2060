import type { MiniBatchInput } from "./runtime.js";

/**
 * The memory limit of a scoring worker (`worker_memory_mb`), the same for every runtime: a worker
 * that uses more is stopped, its attempt fails with `WorkerOutOfMemory` (retried like a crash, on a
 * fresh worker), and the memory it held goes back to the machine with it.
 */

const MIB = 1024 * 1024;

/** The message of an attempt whose worker went over its limit. */
export function memoryExceededMessage(input: MiniBatchInput, limitMb: number, usedBytes?: number): string {
  const used = usedBytes === undefined ? "" : ` (it held ${Math.round(usedBytes / MIB)} MB)`;
  return `Mini-batch ${input.index} (attempt ${input.attempt}): the scoring worker went over its ${limitMb} MB memory limit (worker_memory_mb)${used} and was stopped; a new worker takes the next mini-batch`;
}

/**
 * The memory a worker thread's script holds: its JavaScript heap and the memory outside it that
 * the heap points to (Buffers, typed arrays). `process.memoryUsage()` gives both per thread.
 */
export function threadMemoryBytes(usage: NodeJS.MemoryUsage = process.memoryUsage()): number {
  return usage.heapUsed + usage.external;
}

export function megabytes(mb: number): number {
  return mb * MIB;
}
