/** Registered functions by name, looked up the way the Functions host does: case-insensitively. */
export interface FunctionLookup<T> {
  get(name: string): T | undefined;
}

/**
 * A case-insensitive view of a map of functions. The map stays live: functions added to it later
 * are found too.
 */
export function functionLookup<T>(functions: ReadonlyMap<string, T>): FunctionLookup<T> {
  return {
    get(name) {
      const exact = functions.get(name);
      if (exact !== undefined) return exact;
      const wanted = name.toLowerCase();
      for (const [key, value] of functions) if (key.toLowerCase() === wanted) return value;
      return undefined;
    },
  };
}
