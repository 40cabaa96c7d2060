import { BatchfnError } from "../../errors.js";
import { itemUnits } from "../plan/cut-mini-batches.js";
import type { PlanRef } from "../plan/plan-schema.js";
import { readMiniBatch } from "../plan/read-plan.js";
import type { JobStore } from "../store/job-store.js";

/** Mini-batches named in the message at most; the rest are counted. */
const NAMED = 10;

/**
 * The failure of a job the orchestration saw complete but whose output lacks planned mini-batches:
 * no range record holds their part (storage lost it, e.g. an emulator killed before it saved its
 * last writes), so their rows cannot be committed. Names the mini-batches and counts their items.
 */
export async function partsLost(store: JobStore, plan: PlanRef, missing: number[]): Promise<BatchfnError> {
  let items = 0;
  for (const index of missing) {
    const { miniBatch } = await readMiniBatch(store, plan, index);
    items += miniBatch.items.reduce((sum, item) => sum + itemUnits(item), 0);
  }
  const named = missing.slice(0, NAMED).join(", ");
  const more = missing.length > NAMED ? ` (and ${missing.length - NAMED} more)` : "";
  const one = missing.length === 1;
  const message = `${one ? "mini-batch" : "mini-batches"} ${named}${more} of ${plan.miniBatches} ${one ? "has" : "have"} no committed part (${one ? "its record was" : "their records were"} lost from storage after scoring); ${one ? "its" : "their"} ${items} ${items === 1 ? "item is" : "items are"} not in the output`;
  return new BatchfnError({ code: "PartsLost", status: 500, message: `Job failed: ${message}.` });
}
