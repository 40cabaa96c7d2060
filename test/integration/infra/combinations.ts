import type { Value } from "./bicep-values.js";

/** One choice of main.bicep's three deployment parameters. */
export interface Combination {
  hosting: "flex" | "containerapps";
  durableBackend: "azureStorage" | "durableTaskScheduler";
  network: "public" | "private";
}

/** Every combination main.bicep allows: each one is evaluated and checked. */
export const COMBINATIONS: Combination[] = (["flex", "containerapps"] as const).flatMap((hosting) =>
  (["azureStorage", "durableTaskScheduler"] as const).flatMap((durableBackend) =>
    (["public", "private"] as const).map((network) => ({ hosting, durableBackend, network })),
  ),
);

export function describeCombination(combination: Combination): string {
  return `${combination.hosting} + ${combination.durableBackend} + ${combination.network}`;
}

/** The combination a deployment's parameter values chose. */
export function combinationOf(values: Record<string, Value>): Combination {
  const pick = <T extends string>(name: string, allowed: readonly T[]): T => {
    const value = values[name];
    const found = allowed.find((option) => option === value);
    if (!found) throw new Error(`main.bicep parameter '${name}' must be one of ${allowed.join(", ")}`);
    return found;
  };
  return {
    hosting: pick("hosting", ["flex", "containerapps"]),
    durableBackend: pick("durableBackend", ["azureStorage", "durableTaskScheduler"]),
    network: pick("network", ["public", "private"]),
  };
}
