/**
 * Writes the Parquet scoring files of the sklearn-diabetes example from `train/test-set.csv`
 * (Debian's Python has no pyarrow, so train.py leaves them to this script). Each column is typed
 * as the model's MLflow signature types it: `long` → INT64, `double` → DOUBLE. Deterministic; run
 * from the repository root after train.py:
 *     node --import tsx examples/sklearn-diabetes/train/write_parquet.ts
 */
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parquetWriteBuffer } from "hyparquet-writer";
import { readTable } from "../../../src/io/tabular/index.js";
import { parseMlmodel } from "../../../src/scoring/onnx/mlmodel.js";

const example = join(dirname(fileURLToPath(import.meta.url)), "..");

async function main(): Promise<void> {
  const model = parseMlmodel(await readFile(join(example, "model", "MLmodel"), "utf8"), "MLmodel");
  if (model.signature?.kind !== "columns") throw new Error("MLmodel: expected a column signature");
  const table = await readTable(join(example, "train", "test-set.csv"), {
    stringColumns: new Set(["file"]),
  });
  const column = (name: string) => {
    const found = table.columns.find((c) => c.name === name);
    if (!found) throw new Error(`test-set.csv has no column '${name}'`);
    return found;
  };
  const fileColumn = column("file");
  const files = [...new Set(fileColumn.values as string[])].filter((name) => name.endsWith(".parquet"));
  for (const file of files) {
    const rows = (fileColumn.values as string[]).flatMap((name, row) => (name === file ? [row] : []));
    const columnData = model.signature.columns.map(({ name, type }) => {
      const values = column(name).values as Float64Array;
      const picked = rows.map((row) => values[row] ?? Number.NaN);
      return type === "long"
        ? {
            name,
            data: BigInt64Array.from(picked, (v) => BigInt(v)),
            type: "INT64" as const,
            nullable: false,
          }
        : { name, data: Float64Array.from(picked), type: "DOUBLE" as const, nullable: false };
    });
    const buffer = parquetWriteBuffer({ columnData, createdBy: "batchfn examples" });
    await writeFile(join(example, "data", file), new Uint8Array(buffer));
    console.log(`${file}: ${rows.length} rows`);
  }
}

main().catch((thrown: unknown) => {
  console.error(thrown);
  process.exit(1);
});
