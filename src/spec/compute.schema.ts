import { z } from "zod";
import type { ErrorDetail } from "../errors.js";
import { caseInsensitive, compact, isMapping, schemaUrl } from "./fields.js";
import { readDocument } from "./parse-document.js";
import { tags } from "./resources.js";
import { type DocumentOptions, invalidDocument, toCanonical, validate } from "./spec-validation.js";

/**
 * A compute target (`az ml compute create`, an AmlCompute YAML file). batchfn scores on the Function
 * App's instances, so a compute is a name that deployments point at (`compute: azureml:cpu-cluster`)
 * and a bound: a deployment or a job that asks for more than its `max_instances` is refused, as Azure
 * ML refuses it. What sizes machines in Azure ML (`size`, `min_instances`, idle time, tier...) is
 * kept as written and listed in `not_used` with the reason.
 */

/** Compute names, as Azure ML's: 2-16 letters, digits and '-', starting with a letter. */
export const computeName = z
  .string()
  .regex(/^[a-zA-Z][-a-zA-Z0-9]{1,15}$/, "must be 2-16 letters, digits and '-', starting with a letter");

/** What becomes of each AmlCompute key that does not apply to a Function App. */
export const NOT_USED_REASONS = {
  min_instances:
    "the Function App scales itself (from zero on Flex Consumption); there is no minimum to keep",
  size: "scoring runs on the Function App's instances; there is no VM size to choose",
  idle_time_before_scale_down: "the Function App scales in by itself",
  tier: "the Function App's instances have no low-priority tier",
  location: "the compute is where the Function App runs",
  identity: "scoring reaches storage with the Function App's own identity",
  ssh_public_access_enabled: "there are no nodes to reach over SSH",
  ssh_settings: "there are no nodes to reach over SSH",
  network_settings: "the Function App's network settings apply (infra/)",
  enable_node_public_ip: "there are no nodes of their own",
} as const;
type NotUsedKey = keyof typeof NOT_USED_REASONS;
const NOT_USED_KEYS = Object.keys(NOT_USED_REASONS) as NotUsedKey[];

/** The compute as the registry keeps and the API shows it (AmlCompute's fields, as written). */
export const computeSchema = z.strictObject({
  name: computeName,
  type: z.literal("amlcompute").default("amlcompute"),
  description: z.string().optional(),
  tags: tags.default({}),
  /** The most instances a deployment or a job naming this compute may ask for. */
  max_instances: z.number().int().min(1).default(4),
  min_instances: z.number().int().min(0).default(0),
  size: z.string().optional(),
  idle_time_before_scale_down: z.number().int().min(0).optional(),
  tier: z.enum(["dedicated", "low_priority"]).optional(),
  location: z.string().optional(),
  identity: z.unknown().optional(),
  ssh_public_access_enabled: z.boolean().optional(),
  ssh_settings: z.unknown().optional(),
  network_settings: z.unknown().optional(),
  enable_node_public_ip: z.boolean().optional(),
  /** Each key given that batchfn does not use, with why. */
  not_used: z.record(z.string(), z.string()).default({}),
});
export type Compute = z.infer<typeof computeSchema>;

const computeDocumentInput = z.strictObject({
  $schema: schemaUrl,
  name: computeName,
  type: caseInsensitive(
    z.literal("amlcompute", {
      error:
        "must be amlcompute (compute clusters); compute instances, Kubernetes and attached VMs are not supported",
    }),
  ).optional(),
  description: z.string().optional(),
  tags: tags.optional(),
  max_instances: z.number().int().min(1).optional(),
  min_instances: z.number().int().min(0).optional(),
  size: z.string().min(1).optional(),
  idle_time_before_scale_down: z.number().int().min(0).optional(),
  tier: caseInsensitive(z.enum(["dedicated", "low_priority"])).optional(),
  location: z.string().optional(),
  identity: z.unknown().optional(),
  ssh_public_access_enabled: z.boolean().optional(),
  ssh_settings: z.unknown().optional(),
  network_settings: z.unknown().optional(),
  enable_node_public_ip: z.boolean().optional(),
});

export interface ParsedCompute {
  compute: Compute;
  /** One per key accepted but not used: `size: accepted, not used: ...`. */
  warnings: string[];
}

/**
 * Parses an AmlCompute document (YAML text or a REST body) into the canonical `Compute`;
 * `InvalidSpec` listing every problem (an unknown key, another compute type, `min_instances` above
 * `max_instances`).
 */
export function parseComputeDocument(input: unknown, options: DocumentOptions = {}): ParsedCompute {
  const document = readDocument(input, "compute", options);
  const checked = validate(computeDocumentInput, document);
  if (!checked.ok) throw invalidDocument("compute", checked.details, options);
  const { $schema: _ignored, ...fields } = checked.value;
  const problems: ErrorDetail[] = [];
  const max = fields.max_instances ?? 4;
  if (fields.min_instances !== undefined && fields.min_instances > max) {
    problems.push({ path: "min_instances", message: `must not be above max_instances (${max})` });
  }
  const given = NOT_USED_KEYS.filter((key) => isMapping(document) && document[key] !== undefined);
  const not_used = Object.fromEntries(given.map((key) => [key, NOT_USED_REASONS[key]]));
  const compute = toCanonical(computeSchema, compact({ ...fields, not_used }), "", problems);
  if (!compute || problems.length > 0) throw invalidDocument("compute", problems, options);
  const warnings = given.map((key) => `${key}: accepted, not used: ${NOT_USED_REASONS[key]}`);
  return { compute, warnings };
}

/**
 * The compute a deployment names (`compute: azureml:cpu-cluster`, 2021 `compute: {target: ...}`), as
 * kept in its `accepted_not_used`; undefined when it names none.
 */
export function computeTargetOf(acceptedNotUsed: Record<string, unknown>): string | undefined {
  const written = acceptedNotUsed.compute;
  const target = isMapping(written) ? written.target : written;
  if (typeof target !== "string") return undefined;
  // `azureml:cpu-cluster`, or an Azure resource id ending in `.../computes/cpu-cluster`.
  const name =
    target
      .replace(/^azureml:/i, "")
      .split("/")
      .pop()
      ?.trim() ?? "";
  return name === "" ? undefined : name;
}
