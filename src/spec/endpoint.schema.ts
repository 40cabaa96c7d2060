import { z } from "zod";
import type { ErrorDetail } from "../errors.js";
import { type ParsedDeployment, readDeployment } from "./deployment.schema.js";
import { checkTraffic, fullTrafficDeployment } from "./endpoint-traffic.js";
import { caseInsensitive, compact, isMapping, schemaUrl } from "./fields.js";
import { readDocument } from "./parse-document.js";
import { authMode, type Endpoint, endpointSchema, resourceName, tags } from "./resources.js";
import { type DocumentOptions, invalidDocument, toCanonical, validate } from "./spec-validation.js";

/**
 * A batch endpoint as written: the v2 form (`defaults.deployment_name`) or the 2021 preview form
 * (`type: batch`, a `traffic` map, deployments inline, as a map by name or a list).
 */
const endpointInput = z.strictObject({
  $schema: schemaUrl,
  name: resourceName,
  type: caseInsensitive(
    z.literal("batch", { error: "must be batch (online endpoints are not supported)" }),
  ).optional(),
  description: z.string().optional(),
  tags: tags.optional(),
  auth_mode: caseInsensitive(authMode).optional(),
  defaults: z.strictObject({ deployment_name: resourceName.optional() }).optional(),
  traffic: z.record(resourceName, z.literal([0, 100])).optional(),
  deployments: z.union([z.record(resourceName, z.unknown()), z.array(z.unknown())]).optional(),
});

/** An endpoint read from a document, with the deployments written inline in it (2021 form). */
export interface ParsedEndpoint {
  endpoint: Endpoint;
  /** Inline deployments, `endpoint_name` filled from the endpoint. */
  deployments: ParsedDeployment[];
  /** "accepted, not used" notes of the inline deployments, each starting with its YAML path. */
  warnings: string[];
}

interface InlineDeployment {
  prefix: string;
  listedAs?: string;
  written: unknown;
}

/**
 * Parses a batch endpoint document (YAML text or a REST body) in the v2 or the 2021 form. Throws
 * `InvalidSpec` listing every problem of the endpoint and of its inline deployments.
 */
export function parseEndpointDocument(input: unknown, options: DocumentOptions = {}): ParsedEndpoint {
  const document = readDocument(input, "batch endpoint", options);
  const checked = validate(endpointInput, document);
  const problems: ErrorDetail[] = checked.ok ? [] : [...checked.details];
  const deployments: ParsedDeployment[] = [];
  if (isMapping(document)) {
    const inline = inlineDeployments(document.deployments);
    checkTraffic(document, inline && namesOf(inline, problems), problems);
    const name = resourceName.safeParse(document.name);
    for (const { prefix, listedAs, written } of inline ?? []) {
      if (listedAs !== undefined && !resourceName.safeParse(listedAs).success) continue;
      const endpointName = name.success ? name.data : undefined;
      const result = readDeployment(written, { prefix, listedAs, endpointName, insideEndpoint: true });
      if (result.ok) deployments.push(result.value);
      else problems.push(...result.details);
    }
  }
  if (!checked.ok || problems.length > 0) throw invalidDocument("batch endpoint", problems, options);
  const { name, description, tags, auth_mode, defaults, traffic } = checked.value;
  const deployment_name = defaults?.deployment_name ?? fullTrafficDeployment(traffic);
  const endpoint = toCanonical(
    endpointSchema,
    compact({ name, description, tags, auth_mode, defaults: compact({ deployment_name }) }),
    "",
    problems,
  );
  if (!endpoint) throw invalidDocument("batch endpoint", problems, options);
  return { endpoint, deployments, warnings: deployments.flatMap((deployment) => deployment.warnings) };
}

/** The inline deployments with their YAML paths: a map by name, or a list of deployments. */
function inlineDeployments(written: unknown): InlineDeployment[] | undefined {
  if (Array.isArray(written)) {
    return written.map((item, index) => ({ prefix: `deployments.${index}`, written: item }));
  }
  if (!isMapping(written)) return undefined;
  return Object.entries(written).map(([key, item]) => ({
    prefix: `deployments.${key}`,
    listedAs: key,
    written: item,
  }));
}

/** The names of the inline deployments; a name listed twice is a problem. */
function namesOf(inline: readonly InlineDeployment[], problems: ErrorDetail[]): string[] {
  const names: string[] = [];
  for (const { prefix, listedAs, written } of inline) {
    const name = listedAs ?? (isMapping(written) ? written.name : undefined);
    if (typeof name !== "string") continue;
    if (names.includes(name)) problems.push({ path: `${prefix}.name`, message: `'${name}' is listed twice` });
    names.push(name);
  }
  return names;
}
