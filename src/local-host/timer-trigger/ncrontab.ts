import { errors } from "../../errors.js";

/**
 * A timer trigger's NCRONTAB schedule, as Azure Functions reads it: six fields, `second minute hour
 * day month day-of-week`, each `*`, a number, a range `a-b`, a step `*\/n` or `a-b/n`, or a list of
 * those; times in UTC (Azure's default, WEBSITE_TIME_ZONE unset). Month and day-of-week names are
 * not supported.
 */
export interface NcrontabSchedule {
  expression: string;
  fields: Array<Set<number>>;
}

const FIELDS = [
  { name: "second", min: 0, max: 59 },
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day-of-week", min: 0, max: 6 },
] as const;

export function parseNcrontab(expression: string): NcrontabSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 6)
    throw invalid(expression, "it needs 6 fields (second minute hour day month day-of-week)");
  const fields = parts.map((part, at) => {
    const field = FIELDS[at] ?? FIELDS[0];
    const values = new Set<number>();
    for (const item of part.split(",")) {
      const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
      if (!match) throw invalid(expression, `'${item}' is not a value, range or step of the ${field.name}`);
      const from = match[1] === "*" ? field.min : Number(match[2]);
      const to = match[1] === "*" ? field.max : match[3] !== undefined ? Number(match[3]) : from;
      const step = match[4] !== undefined ? Number(match[4]) : 1;
      const last = match[1] !== "*" && match[3] === undefined && match[4] !== undefined ? field.max : to;
      if (from < field.min || last > field.max || from > last || step < 1) {
        throw invalid(expression, `'${item}' is outside ${field.min}-${field.max} for the ${field.name}`);
      }
      for (let value = from; value <= last; value += step) values.add(value);
    }
    return values;
  });
  return { expression, fields };
}

/** The first time strictly after `after` (whole seconds, UTC) that the schedule names. */
export function nextOccurrence(schedule: NcrontabSchedule, after: Date): Date {
  const [seconds, minutes, hours, days, months, weekdays] = schedule.fields as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
  const limit = after.getTime() + 5 * 366 * 24 * 3600 * 1000;
  while (t.getTime() <= limit) {
    if (!months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0);
    } else if (!days.has(t.getUTCDate()) || !weekdays.has(t.getUTCDay())) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0);
    } else if (!hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0);
    } else if (!minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0);
    } else if (!seconds.has(t.getUTCSeconds())) {
      t.setUTCSeconds(t.getUTCSeconds() + 1);
    } else {
      return t;
    }
  }
  throw invalid(schedule.expression, "it names no time in the next five years");
}

function invalid(expression: string, why: string) {
  const message = `Timer schedule '${expression}' is not a valid NCRONTAB expression: ${why}.`;
  return errors.invalidConfig(message, [{ path: "schedule", message }]);
}
