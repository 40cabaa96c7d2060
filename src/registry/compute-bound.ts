import { errors } from "../errors.js";
import { computeTargetOf } from "../spec/compute.schema.js";
import type { Deployment } from "../spec/resources.js";
import type { ComputeRegistry } from "./computes.js";

/** What names the instance count that is checked, for messages. */
export interface InstanceCountAsk {
  /** `Batch deployment 'e/d'`, `The invocation of batch deployment 'e/d'`. */
  what: string;
  /** The field that gave the count: `resources.instance_count`, `instance_count`. */
  path: string;
  count: number;
}

/**
 * Refuses an instance count above the `max_instances` of the compute a deployment names
 * (`compute: azureml:cpu-cluster`), as Azure ML refuses a deployment or a job larger than its
 * cluster: `LimitExceeded` naming the field, the count and the bound. A compute that is not
 * registered bounds nothing. Answers the name of the compute and its bound, when registered.
 */
export async function checkComputeBound(
  computes: ComputeRegistry,
  deployment: Deployment,
  ask: InstanceCountAsk,
): Promise<{ target?: string; max?: number }> {
  const target = computeTargetOf(deployment.accepted_not_used);
  if (target === undefined) return {};
  const record = await computes.find(target);
  if (!record) return { target };
  const max = record.resource.max_instances;
  if (ask.count > max) {
    throw errors.limitExceeded(ask.what, [
      {
        path: ask.path,
        message: `${ask.path} is ${ask.count}; compute '${target}' has at most ${max} instances (max_instances)`,
      },
    ]);
  }
  return { target, max };
}

/**
 * The deployment's warnings with the one about its compute made true: a registered compute bounds
 * the instance count; an unregistered one is accepted and not used.
 */
export function computeWarnings(
  warnings: readonly string[],
  bound: { target?: string; max?: number },
): string[] {
  if (bound.target === undefined) return [...warnings];
  const note =
    bound.max === undefined
      ? `accepted, not used: no compute '${bound.target}' is registered (batchfn compute create --name ${bound.target} --max-instances N registers one, whose max_instances then bounds instance_count); scoring runs on the Function App`
      : `compute '${bound.target}' bounds instance_count at its max_instances (${bound.max}); scoring runs on the Function App`;
  return warnings.map((warning) => {
    const match = /^((?:.*\.)?compute(?:\.target)?): accepted, not used: /.exec(warning);
    return match ? `${match[1]}: ${note}` : warning;
  });
}
