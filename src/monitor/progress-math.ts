/**
 * Rate and time left of a running job, from the progress the page saw over time. Pure: the page
 * passes the samples and the clock.
 */

/** What the page saw at one moment: mini-batches and items done (succeeded or failed). */
export interface Sample {
  /** Milliseconds since the epoch. */
  at: number;
  miniBatches: number;
  items: number;
}

/** How far back the rate looks: long enough to smooth waves of mini-batches, short enough to follow changes. */
export const RATE_WINDOW_MS = 30_000;
/** Samples kept for the chart; older ones are thinned out, never the first or last. */
export const MAX_SAMPLES = 600;

/** The samples with `sample` added: a repeated count only moves the last sample's time forward. */
export function addSample(samples: readonly Sample[], sample: Sample): Sample[] {
  const last = samples.at(-1);
  if (last && sample.at < last.at) return [...samples];
  const before = samples.at(-2);
  const unchanged = (a: Sample | undefined) =>
    a !== undefined && a.miniBatches === sample.miniBatches && a.items === sample.items;
  const next =
    unchanged(last) && unchanged(before) ? [...samples.slice(0, -1), sample] : [...samples, sample];
  if (next.length <= MAX_SAMPLES) return next;
  return next.filter((_, index) => index === 0 || index === next.length - 1 || index % 2 === 1);
}

export interface Rate {
  /** Mini-batches per second. */
  miniBatches: number;
  /** Items per second. */
  items: number;
}

/**
 * Per second over the last `windowMs` up to the newest sample, measured from the last sample at or
 * before the window's start (so a job that paused shows its slowdown). Undefined until the samples
 * span at least one second.
 */
export function currentRate(samples: readonly Sample[], windowMs: number = RATE_WINDOW_MS): Rate | undefined {
  const last = samples.at(-1);
  if (!last) return undefined;
  let base = samples[0];
  for (const sample of samples) {
    if (sample.at <= last.at - windowMs) base = sample;
  }
  if (!base) return undefined;
  const seconds = (last.at - base.at) / 1000;
  if (seconds < 1) return undefined;
  return {
    miniBatches: (last.miniBatches - base.miniBatches) / seconds,
    items: (last.items - base.items) / seconds,
  };
}

/** Seconds until `remaining` units are done at `perSecond`; undefined when nothing moves. */
export function timeLeft(remaining: number, perSecond: number | undefined): number | undefined {
  if (remaining <= 0) return 0;
  if (perSecond === undefined || perSecond <= 0) return undefined;
  return remaining / perSecond;
}

/** Average per second between two ISO times (a finished job's rate); undefined without both. */
export function averageRate(done: number, startedAt?: string, finishedAt?: string): number | undefined {
  if (!startedAt || !finishedAt) return undefined;
  const seconds = (Date.parse(finishedAt) - Date.parse(startedAt)) / 1000;
  return seconds > 0 ? done / seconds : undefined;
}
