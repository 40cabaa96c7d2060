import type { ContainerClient } from "@azure/storage-blob";
import { finalizeOutput, type OutputTotals } from "../../../src/io/output/finalize-output.js";
import { resolveOutputLocation } from "../../../src/io/output/output-location.js";
import {
  type OutputTarget,
  type OutputTargetInput,
  outputTarget,
} from "../../../src/io/output/output-target.js";
import type { PartRecord } from "../../../src/io/output/part-record.js";
import { writeRangeRecord } from "../../../src/io/output/range-record.js";
import type { RunResult, ScoredRow } from "../../../src/io/output/scored-rows.js";
import {
  type OutputDeps,
  type StageMiniBatchRequest,
  stageMiniBatchOutput,
} from "../../../src/io/output/stage-mini-batch.js";
import { uniqueName } from "../../support/storage.js";
import { type StorageWorld, storageWorld } from "./input-fixtures.js";

export interface OutputWorld extends StorageWorld {
  deps: OutputDeps;
  jobs: ContainerClient;
  job: string;
  target(overrides?: Partial<OutputTargetInput>): Promise<OutputTarget>;
  read(name: string): Promise<string>;
  /** Stages an attempt as `scoreMiniBatch` does; the last one staged of each mini-batch is recorded. */
  stage(request: StageMiniBatchRequest): Promise<PartRecord>;
  /** What the orchestration does at the end of the job: records the parts in one range record, then finalises. */
  finalize(target: OutputTarget): Promise<OutputTotals>;
}

/** A storage world with a jobs container and output targets under `azureml://datastores/ws/paths/out/`. */
export async function outputWorld(): Promise<OutputWorld> {
  const world = await storageWorld();
  const jobs = world.clients.blob.getContainerClient(uniqueName("jobs"));
  await jobs.create();
  const job = uniqueName("job");
  const deps = { access: world.access, jobs };
  const parts = new Map<number, PartRecord>();
  return {
    ...world,
    deps,
    jobs,
    job,
    async target(overrides = {}) {
      const location = await resolveOutputLocation({
        outputPath: "azureml://datastores/ws/paths/out",
        job,
        catalog: world.catalog,
        access: world.access,
      });
      return outputTarget({
        job,
        location,
        action: "append_row",
        fileName: "predictions.csv",
        format: "aml",
        miniBatches: 4,
        ...overrides,
      });
    },
    async read(name) {
      return (await world.container.getBlobClient(`out/${name}`).downloadToBuffer()).toString("utf8");
    },
    async stage(request) {
      const part = await stageMiniBatchOutput(request, deps);
      parts.set(part.index, part);
      return part;
    },
    async finalize(target) {
      if (parts.size > 0) {
        await writeRangeRecord(jobs, job, { start: 0, end: target.miniBatches, parts: [...parts.values()] });
      }
      return finalizeOutput(target, deps);
    },
  };
}

/** A run result with these rows, every row counted as one succeeded item. */
export function rowsResult(rows: ScoredRow[], failures: RunResult["failedItems"] = []): RunResult {
  return { rows, succeededItems: rows.length, failedItems: failures };
}
