import type { z } from "zod";
import { errors } from "../../errors.js";
import { describeDetails, validate } from "../../spec/spec-validation.js";

/** Parses a request body that is not a resource document; `InvalidSpec` listing every problem with its path. */
export function parseRequest<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const checked = validate(schema, body);
  if (checked.ok) return checked.value;
  throw errors.invalidSpec(`Invalid ${what}: ${describeDetails(checked.details)}`, checked.details);
}
