/**
 * The one rule for counting a job's mini-batches, used by the live progress, the job record
 * (`GET /api/jobs/{job}`), `job_summary.json` and the error threshold alike: a mini-batch that ran
 * to the end (it has a recorded part) is *failed* when any of its items failed (all of them, or
 * some), else *succeeded*; one without a part did *not run* (never started, stopped by a cancel or
 * by the error threshold). So `succeeded + failed + not run = total`.
 */
export function isFailedMiniBatch(ran: { failedItems: number }): boolean {
  return ran.failedItems > 0;
}
