import { errors } from "../../errors.js";
import type { InputRoot } from "../../io/inputs/resolved-input.js";
import type { JobStore } from "../store/job-store.js";
import {
  type PlanManifest,
  type PlannedMiniBatch,
  type PlanPage,
  type PlanRef,
  planBlobs,
} from "./plan-schema.js";

/** A mini-batch with the root its items live under. */
export interface MiniBatchOfPlan {
  root: InputRoot;
  miniBatch: PlannedMiniBatch;
}

const CACHE_LIMIT = 16;
const cache = new Map<string, Promise<unknown>>();

/** Reads (and caches in this process) the manifest of a plan; refuses a plan replaced since `ref`. */
export async function readPlanManifest(store: JobStore, ref: PlanRef): Promise<PlanManifest> {
  const name = planBlobs.manifest(ref.job);
  const manifest = await cached(`${store.id}|${ref.planId}|manifest`, () => store.loadPlanManifest(ref.job));
  if (manifest.planId !== ref.planId) {
    throw errors.corruptRecord(
      `Plan '${name}' was replaced (plan ${manifest.planId}, expected ${ref.planId}); the job must be planned again.`,
    );
  }
  return manifest;
}

/** Reads one mini-batch of a plan: the manifest and one page, both cached per process. */
export async function readMiniBatch(store: JobStore, ref: PlanRef, index: number): Promise<MiniBatchOfPlan> {
  const manifest = await readPlanManifest(store, ref);
  if (!Number.isInteger(index) || index < 0 || index >= manifest.counts.miniBatches) {
    throw errors.invalidReference(
      `Mini-batch ${index} does not exist in the plan of job '${ref.job}' (${manifest.counts.miniBatches} mini-batches).`,
    );
  }
  const page = pageOf(manifest.pageStarts, index);
  const name = planBlobs.page(ref.job, ref.planId, page);
  const content: PlanPage = await cached(`${store.id}|${ref.planId}|${page}`, () =>
    store.loadPlanPage(ref.job, ref.planId, page),
  );
  const miniBatch = content.miniBatches[index - (manifest.pageStarts[page] ?? 0)];
  if (content.planId !== ref.planId || miniBatch?.index !== index) {
    throw errors.corruptRecord(`Plan page '${name}' does not hold mini-batch ${index}.`);
  }
  return { root: manifest.input.root, miniBatch };
}

function pageOf(pageStarts: readonly number[], index: number): number {
  let low = 0;
  let high = pageStarts.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if ((pageStarts[middle] ?? 0) <= index) low = middle;
    else high = middle - 1;
  }
  return low;
}

async function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit as Promise<T>;
  }
  const loading = load();
  cache.set(key, loading);
  loading.catch(() => cache.delete(key));
  while (cache.size > CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest === undefined) break;
    cache.delete(oldest);
  }
  return loading;
}
