import { isMapping } from "../../spec/fields.js";
import { READ_ONLY_FIELDS } from "../../spec/resources.js";

/**
 * A resource as `GET` shows it, turned back into the document it was written as, so an update
 * without `--file` can change it with `--set` and send it back: the read-only fields are dropped
 * and the Python-only keys kept under `accepted_not_used` go back where they were written.
 */
export function documentOf(shown: unknown): Record<string, unknown> {
  if (!isMapping(shown)) return {};
  const document: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(shown)) {
    if (!READ_ONLY_FIELDS.includes(key) && key !== "accepted_not_used") document[key] = value;
  }
  return isMapping(shown.accepted_not_used) ? { ...shown.accepted_not_used, ...document } : document;
}
