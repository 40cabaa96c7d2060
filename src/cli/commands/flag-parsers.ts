import { InvalidArgumentError } from "commander";

/** Reads a flag value that must be a whole number ≥ 1 (`--mini-batch-size`, `--instance-count`). */
export function positiveInteger(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError("must be a whole number of at least 1.");
  }
  return value;
}

/** Collects a repeatable flag's values (`--set a=1 --set b=2`, or `--set a=1 b=2`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Reads a flag value that must be a whole number ≥ 0 (`--min-instances`). */
export function nonNegativeInteger(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value)) {
    throw new InvalidArgumentError("must be a whole number of at least 0.");
  }
  return value;
}
