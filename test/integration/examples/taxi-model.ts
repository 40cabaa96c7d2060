import { readdir } from "node:fs/promises";
import { z } from "zod";
import { examplePath, type NumericCsv, readJson, readNumericCsv } from "./example-files.js";

/** The taxi-tip model of examples/taxi-tip, recomputed in plain TypeScript from weights.json. */
const signatureType = z.enum(["double", "long"]);

export const weightsSchema = z.object({
  inputs: z.array(z.object({ name: z.string(), type: signatureType })),
  features: z.array(z.object({ name: z.string(), expression: z.string() })),
  weights: z.array(z.number()),
  bias: z.number(),
});
export type Weights = z.infer<typeof weightsSchema>;

/** The same seven features as the training script, written independently from their descriptions. */
function feature(name: string, trip: (column: string) => number): number {
  const isCreditCard = trip("paymentType") === 1 ? 1 : 0;
  switch (name) {
    case "fareAmount":
    case "tripDistance":
    case "passengerCount":
      return trip(name);
    case "tripMinutes":
      return trip("tripTimeSecs") / 60;
    case "isCreditCard":
      return isCreditCard;
    case "creditCardFare":
      return isCreditCard * trip("fareAmount");
    case "creditCardDistance":
      return isCreditCard * trip("tripDistance");
    default:
      throw new Error(`weights.json names an unknown feature '${name}'`);
  }
}

export function predictInTypeScript(model: Weights, csv: NumericCsv): number[] {
  return csv.rows.map((row) => {
    const trip = (column: string) => row[csv.header.indexOf(column)] ?? Number.NaN;
    const sum = model.features.reduce(
      (total, { name }, index) => total + (model.weights[index] ?? Number.NaN) * feature(name, trip),
      model.bias,
    );
    return Math.max(0, sum);
  });
}

/**
 * Every row the taxi model must predict for the example's scoring files, in file and row order, as
 * `<row> <file> <tip to 6 decimals>`: what an output in Azure ML's row format reads as.
 */
export async function expectedTaxiRows(): Promise<string[]> {
  const weights = await readJson(examplePath("taxi-tip", "model", "weights.json"), weightsSchema);
  const expected: string[] = [];
  for (const file of (await readdir(examplePath("taxi-tip", "data"))).sort()) {
    const tips = predictInTypeScript(weights, await readNumericCsv(examplePath("taxi-tip", "data", file)));
    for (const [row, tip] of tips.entries()) expected.push(`${row} ${file} ${tip.toFixed(6)}`);
  }
  return expected;
}

/** Output rows `<row> <prediction> <file>` read into the form of {@link expectedTaxiRows}. */
export function readTaxiRows(text: string): string[] {
  return text
    .trimEnd()
    .split("\n")
    .map((line) => {
      const [row, prediction, file] = line.split(" ");
      return `${row} ${file} ${Number(prediction).toFixed(6)}`;
    });
}
