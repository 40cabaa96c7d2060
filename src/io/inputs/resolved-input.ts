import { z } from "zod";
import { dataType } from "../../spec/resources.js";
import { blobStoreSchema } from "./blob-access.js";

/**
 * Where every item of one input lives. A blob root names a container and a folder prefix (""
 * or ending in `/`); an item's blob is `prefix + item.name`. A URL root is a single file.
 */
export const inputRootSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("blob"),
    store: blobStoreSchema,
    container: z.string().min(1),
    prefix: z.string(),
  }),
  z.strictObject({ kind: z.literal("url"), url: z.url() }),
]);
export type InputRoot = z.infer<typeof inputRootSchema>;

/** One input file: its path under the input root (as the user knows it), size and version. */
export const inputItemSchema = z.strictObject({
  name: z.string().min(1),
  /** Bytes; absent when a URL server does not say. */
  size: z.number().int().nonnegative().optional(),
  /** The version seen at resolution; downloads insist on it so a plan never mixes two versions. */
  etag: z.string().optional(),
});
export type InputItem = z.infer<typeof inputItemSchema>;

/** An input turned into a deterministic list of items, sorted by name. */
export const resolvedInputSchema = z.strictObject({
  /** The input as the user wrote it (or its canonical URI), for messages and the job summary. */
  display: z.string(),
  type: dataType,
  root: inputRootSchema,
  items: z.array(inputItemSchema),
});
export type ResolvedInput = z.infer<typeof resolvedInputSchema>;

/** Orders names by UTF-16 code units: stable across runs and platforms, unlike locale collation. */
export function compareNames(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
