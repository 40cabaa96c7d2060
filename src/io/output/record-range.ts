import { blockId, shardOf } from "./output-layout.js";
import { ERRORS_FILE, type OutputTarget } from "./output-target.js";
import type { PartRecord } from "./part-record.js";
import { type RangeRecord, writeRangeRecord } from "./range-record.js";
import type { OutputDeps } from "./stage-mini-batch.js";

/**
 * Records a range's parts (`range-record.ts`) after staging the small outputs they carry
 * (`PartRecord.inline`): each run of such parts, consecutive in the file, becomes one block of its
 * file (one for the rows, one for the error lines), with the id of `(job, kind, first mini-batch of
 * the run, attempt 0)`; the record keeps where each part's text went (`rowsBlock`, `errorsBlock`)
 * and not the text. The input comes from the orchestration's history, so running it again stages
 * the same blocks under the same ids and writes the same record.
 */
export async function recordRange(
  target: OutputTarget,
  range: RangeRecord,
  deps: OutputDeps,
): Promise<number> {
  const parts = [...range.parts].sort((a, b) => a.index - b.index);
  const container = deps.access.container(target.location.store, target.location.container);
  const runs = [...inlineRuns(target, parts, "rows"), ...inlineRuns(target, parts, "errors")];
  const placed = new Map<number, Partial<PartRecord>>();
  await Promise.all(
    runs.map(async (run) => {
      const body = Buffer.from(run.members.map((part) => part.inline?.[run.kind] ?? "").join(""), "utf8");
      const blob = container.getBlockBlobClient(`${target.location.prefix}${run.fileName}`);
      await blob.stageBlock(blockId(target.job, run.kind, run.first, 0), body, body.length);
    }),
  );
  for (const run of runs) {
    for (const part of run.members) {
      const where = run.kind === "rows" ? { rowsBlock: run.first } : { errorsBlock: run.first };
      placed.set(part.index, { ...placed.get(part.index), ...where });
    }
  }
  const recorded = parts.map(({ inline: _inline, ...part }) => ({ ...part, ...placed.get(part.index) }));
  await writeRangeRecord(deps.jobs, target.job, { start: range.start, end: range.end, parts: recorded });
  return recorded.length;
}

interface InlineRun {
  kind: "rows" | "errors";
  fileName: string;
  first: number;
  members: PartRecord[];
}

/**
 * Runs of parts whose text of `kind` is inline: a run ends at a part with a staged block of that
 * kind (its text must come between) and at a shard's end. Parts with no text of that kind add
 * nothing to the file, so they do not end a run.
 */
function inlineRuns(target: OutputTarget, parts: PartRecord[], kind: "rows" | "errors"): InlineRun[] {
  const fileFor = (index: number) => shardOf(target, index, kind === "rows" ? target.fileName : ERRORS_FILE);
  const runs: InlineRun[] = [];
  let current: InlineRun | undefined;
  for (const part of parts) {
    const text = part.inline?.[kind];
    if (text !== undefined && text !== "") {
      const fileName = fileFor(part.index).fileName;
      if (current && current.fileName === fileName) current.members.push(part);
      else {
        current = { kind, fileName, first: part.index, members: [part] };
        runs.push(current);
      }
    } else if ((kind === "rows" ? part.rows : part.errorLines) > 0) current = undefined;
  }
  return runs;
}
