import { z } from "zod";
import { errors } from "../../errors.js";

/** The Durable settings of host.json the local backend honours. */
export interface DurableHostSettings {
  hubName: string;
  maxConcurrentActivityFunctions: number;
  maxConcurrentOrchestratorFunctions: number;
}

const count = z.number().int().min(1);
const hostJsonSchema = z.object({
  extensions: z
    .object({
      durableTask: z
        .object({
          hubName: z.string().optional(),
          maxConcurrentActivityFunctions: count.optional(),
          maxConcurrentOrchestratorFunctions: count.optional(),
        })
        .optional(),
    })
    .optional(),
});

/**
 * Reads `extensions.durableTask` of a parsed host.json. Defaults are the extension's: hub
 * `TestHubName`, 10 × cores activities and orchestrators at once.
 */
export function durableHostSettings(hostJson: unknown, cores: number): DurableHostSettings {
  const parsed = hostJsonSchema.safeParse(hostJson);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => ({
      path: ["host.json", ...issue.path].join("."),
      message: `host.json ${issue.path.join(".")} ${issue.message}`,
    }));
    throw errors.invalidConfig(`Invalid host.json: ${details.map((d) => d.message).join("; ")}`, details);
  }
  const durable = parsed.data.extensions?.durableTask ?? {};
  return {
    hubName: durable.hubName ?? "TestHubName",
    maxConcurrentActivityFunctions: durable.maxConcurrentActivityFunctions ?? 10 * cores,
    maxConcurrentOrchestratorFunctions: durable.maxConcurrentOrchestratorFunctions ?? 10 * cores,
  };
}
