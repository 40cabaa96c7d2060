import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { type OutputPiece, piecesFromRecords } from "../../../src/io/output/output-pieces.js";
import { createOnnxRuntime } from "../../../src/scoring/onnx/onnx-runtime.js";
import { createScoringPool, type ScoringPool } from "../../../src/scoring/pool/scoring-pool.js";
import { fixturePool, inputFiles, miniBatch, tempDir, unbundled } from "./scoring-fixtures.js";

const perColumnModel = fileURLToPath(new URL("../../fixtures/models/per-column", import.meta.url));
const pools: ScoringPool[] = [];

afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
});

/** The bytes the stager uploads for a piece written in this thread: its text as UTF-8. */
function utf8(piece: OutputPiece | undefined): Buffer {
  const content = piece?.content ?? "";
  return typeof content === "string" ? Buffer.from(content, "utf8") : Buffer.from(content);
}

// rows a script returns: non-ASCII text, a character outside the BMP, a lone surrogate, CSV quoting
const rows = [
  { id: 1, name: "café", note: 'naïve, "quoted"' },
  { id: 2, name: "日本", note: "🙂" },
  { id: 3, name: "lone \ud800 surrogate", note: "" },
];

describe("the scoring pool's output pieces", () => {
  it.each([
    "csv",
    "jsonl",
    "aml",
  ] as const)("come back from a script's worker as the UTF-8 bytes of the same %s text written in this thread", async (format) => {
    const script = await unbundled(`export async function run() { return ${JSON.stringify(rows)}; }\n`);
    const { pool } = await fixturePool({ script });
    const input = { ...miniBatch(4, await inputFiles({ "a.txt": "x" })), output: { format, perFile: false } };
    const scored = await pool.run(input);
    const [piece] = scored.pieces ?? [];
    const [expected] = piecesFromRecords(rows, input.output, { miniBatch: 4, onlyFile: "a.txt" });
    expect(piece?.content).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(piece?.content as Uint8Array).equals(utf8(expected))).toBe(true);
    expect(piece?.rows).toBe(3);
    expect(piece?.columns).toEqual(expected?.columns);
  });

  it("come back from the ONNX runtime's worker as the bytes of the text the runtime writes in this thread", async () => {
    const modelDir = perColumnModel;
    const outputDir = await tempDir();
    const pool = createScoringPool({
      runtime: { kind: "onnx", modelDir, outputDir, env: {} },
      workers: 1,
      timeoutSeconds: 30,
      loggingLevel: "info",
      workerMemoryMb: 512,
    });
    pools.push(pool);
    const files = await inputFiles({ "é t.csv": "a,b,c\n1,2,3\n0,0,0\n-1.5,2e3,0.1\n" });
    const input = { ...miniBatch(0, files), output: { format: "csv" as const, perFile: false } };
    const scored = await pool.run(input);
    const logger = { debug() {}, info() {}, warn() {}, error() {} };
    const context = { modelDir, outputDir, logger, env: {}, inputs: {}, outputs: {} };
    const runtime = await createOnnxRuntime({ kind: "onnx", modelDir, outputDir, env: {} }, context);
    const direct = await runtime.run(input);
    await runtime.shutdown();
    const [piece] = scored.pieces ?? [];
    expect(piece?.content).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(piece?.content as Uint8Array).equals(utf8(direct.pieces?.[0]))).toBe(true);
    expect(Buffer.from(piece?.content as Uint8Array).toString()).toContain(",é t.csv\n");
    expect(piece?.rows).toBe(3);
  });
});
