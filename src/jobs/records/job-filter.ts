/** The fields of a job record a filter reads. */
export interface FilteredJob {
  endpoint_name: string;
  deployment_name: string;
  status: string;
  experiment_name?: string;
  tags?: Record<string, string>;
}

/** Which jobs a list shows; every condition given must hold. */
export interface JobFilter {
  endpoint?: string;
  deployment?: string;
  status?: string;
  experiment?: string;
  /** Tags the job must carry: a key alone (any value), or a key and its value. */
  tags?: readonly { key: string; value?: string }[];
}

/** The experiment a job is listed under: the one it was invoked with, else its endpoint's name. */
export function experimentOf(record: FilteredJob): string {
  return record.experiment_name ?? record.endpoint_name;
}

/** Whether a job passes the filter. */
export function matchesFilter(record: FilteredJob, filter: JobFilter): boolean {
  const tags = record.tags ?? {};
  return (
    (filter.endpoint === undefined || record.endpoint_name === filter.endpoint) &&
    (filter.deployment === undefined || record.deployment_name === filter.deployment) &&
    (filter.status === undefined || record.status === filter.status) &&
    (filter.experiment === undefined || experimentOf(record) === filter.experiment) &&
    (filter.tags ?? []).every(({ key, value }) =>
      value === undefined ? Object.hasOwn(tags, key) : tags[key] === value,
    )
  );
}
