import { errors } from "../../src/errors.js";
import type { JobLog } from "../../src/io/log/job-log.js";
import { type JobRecord, type JobRecords, jobRecordSchema } from "../../src/jobs/records/job-records.js";
import type { LogRecord } from "../../src/spec/log-record.schema.js";

/** Job records in memory, parsed by the record schema as the Table Storage ones are. */
export function memoryJobRecords(): JobRecords {
  const rows = new Map<string, JobRecord>();
  const keys = new Map<string, string>();
  return {
    async create(record) {
      if (rows.has(record.name)) throw errors.alreadyExists("Job", record.name);
      rows.set(record.name, jobRecordSchema.parse(record));
      return record;
    },
    get: async (name) => rows.get(name),
    async update(name, change) {
      const current = rows.get(name);
      if (!current) throw errors.notFound("Job", name);
      const next = jobRecordSchema.parse(change(current));
      rows.set(name, next);
      return next;
    },
    list: async () => [...rows.values()],
    jobForKey: async (endpointId, key) => keys.get(`${endpointId}\n${key}`),
    async claimKey(endpointId, key, job) {
      const holder = keys.get(`${endpointId}\n${key}`) ?? job;
      keys.set(`${endpointId}\n${key}`, holder);
      return holder;
    },
  };
}

/** Job logs in memory: every record appended, per job. */
export function memoryJobLog(): JobLog & { records(job: string): LogRecord[] } {
  const logs = new Map<string, LogRecord[]>();
  return {
    async appendJobLog(job, records) {
      logs.set(job, [...(logs.get(job) ?? []), ...records]);
    },
    async readJobLog(job) {
      const records = logs.get(job) ?? [];
      return { records, nextOffset: records.length };
    },
    records: (job) => logs.get(job) ?? [],
  };
}
