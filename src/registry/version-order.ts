/** The version keyword that names the latest version of a model or data asset. */
export const LATEST = "latest";

/** What version ordering needs to know about one stored version. */
export interface VersionStamp {
  version: string;
  createdAt: string;
}

const NUMERIC = /^\d+$/;

function compareNumeric(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, "");
  const y = b.replace(/^0+(?=\d)/, "");
  return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
}

/**
 * Orders versions oldest first: numeric versions by value, then the others by creation time.
 * Numbers are compared as digit strings, so any length works.
 */
export function compareVersions(a: VersionStamp, b: VersionStamp): number {
  const aNumeric = NUMERIC.test(a.version);
  const bNumeric = NUMERIC.test(b.version);
  if (aNumeric && bNumeric) return compareNumeric(a.version, b.version);
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  return a.createdAt.localeCompare(b.createdAt) || a.version.localeCompare(b.version);
}

/**
 * The version `latest` resolves to: the highest numeric version when there is one, otherwise the
 * most recently created version; undefined when there are none.
 */
export function latestVersion<V extends VersionStamp>(versions: readonly V[]): V | undefined {
  const numeric = versions.filter((v) => NUMERIC.test(v.version));
  const candidates = numeric.length > 0 ? numeric : versions;
  let latest: V | undefined;
  for (const candidate of candidates) {
    if (!latest || compareVersions(candidate, latest) > 0) latest = candidate;
  }
  return latest;
}
