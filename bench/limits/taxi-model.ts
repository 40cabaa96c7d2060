import { type InferenceSession, Tensor } from "onnxruntime-node";
import { parseCsv } from "../../src/io/tabular/csv-parser.js";

/** The taxi-tip example's ONNX model, relative to the repository root. */
export const TAXI_MODEL = "examples/taxi-tip/model/model.onnx";

/** The model's inputs for one parsed file: one [N,1] tensor per column, typed as its signature says. */
export type TaxiFeeds = Record<string, Tensor>;

const DOUBLE_COLUMNS = ["fareAmount", "tripDistance"];
const LONG_COLUMNS = ["paymentType", "passengerCount", "tripTimeSecs"];

/** Parses one taxi CSV text with batchfn's own CSV reader and builds the model's inputs. */
export function taxiFeeds(text: string, name: string): { feeds: TaxiFeeds; rows: number } {
  const table = parseCsv(text, name);
  const rows = table.rowCount;
  const column = (wanted: string): Float64Array => {
    const found = table.columns.find((c) => c.name === wanted);
    if (found?.kind !== "number") throw new Error(`${name}: column ${wanted} is missing or not numeric`);
    return found.values;
  };
  const feeds: TaxiFeeds = {};
  for (const name of DOUBLE_COLUMNS) feeds[name] = new Tensor("float64", column(name), [rows, 1]);
  for (const name of LONG_COLUMNS) {
    const values = column(name);
    const longs = new BigInt64Array(rows);
    for (let i = 0; i < rows; i++) longs[i] = BigInt(values[i] ?? 0);
    feeds[name] = new Tensor("int64", longs, [rows, 1]);
  }
  return { feeds, rows };
}

/** The model's predictions (one float64 per row). */
export async function predict(session: InferenceSession, feeds: TaxiFeeds): Promise<Float64Array> {
  const results = await session.run(feeds);
  const output = Object.values(results)[0]?.data;
  if (!(output instanceof Float64Array)) throw new Error("the taxi model must return float64 predictions");
  return output;
}

/** Output lines as batchfn writes them (Azure ML's append_row: `row prediction file_name`). */
export function predictionLines(predictions: Float64Array, file: string): string {
  let text = "";
  for (let row = 0; row < predictions.length; row++) text += `${row} ${predictions[row]} ${file}\n`;
  return text;
}
