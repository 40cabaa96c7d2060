import { z } from "zod";

/** What the inspection worker receives. */
export const inspectionRequestSchema = z.object({ bundlePath: z.string(), scriptName: z.string() });

/** What the inspection worker answers about a bundle's exports. */
export const inspectionResultSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true) }),
  z.object({
    ok: z.literal(false),
    message: z.string(),
    details: z.array(
      z.object({ path: z.string().optional(), code: z.string().optional(), message: z.string() }),
    ),
  }),
]);
export type InspectionResult = z.infer<typeof inspectionResultSchema>;
