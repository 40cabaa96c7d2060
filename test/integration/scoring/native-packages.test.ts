import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { bundleScoringScript } from "../../../src/scoring/script/bundle-scoring-script.js";
import { doublingModel } from "../../fixtures/scripts/tiny-onnx-model.js";
import {
  bundledFixture,
  copyFixture,
  fixturePool,
  inputFiles,
  miniBatch,
  tempDir,
} from "./scoring-fixtures.js";

function grayPng(level: number): Buffer {
  const png = new PNG({ width: 4, height: 3 });
  for (let i = 0; i < png.data.length; i += 4) {
    png.data[i] = level;
    png.data[i + 1] = level;
    png.data[i + 2] = level;
    png.data[i + 3] = 255;
  }
  return PNG.sync.write(png);
}

describe("a bundled script with packages the app ships", () => {
  it("inlines pure-JS packages and imports native ones from the app's node_modules by absolute URL", async () => {
    const bundle = await bundleScoringScript({
      codeDir: await copyFixture("onnx-png"),
      scoringScript: "score.ts",
    });
    expect(bundle.code).toMatch(/from "file:\/\/\/[^"]*\/node_modules\/onnxruntime-node\/[^"]+"/);
    expect(bundle.code).not.toMatch(/from "pngjs"/);
    expect(bundle.code).not.toMatch(/from "onnxruntime-node"/);
  });

  it("scores PNG files with onnxruntime-node from a temp folder outside the repository", async () => {
    const modelDir = await tempDir("batchfn-model-");
    await writeFile(join(modelDir, "model.onnx"), doublingModel());
    const { pool } = await fixturePool({ script: await bundledFixture("onnx-png", "score.ts"), modelDir });
    const files = await inputFiles({
      "dark.png": grayPng(10),
      "mid.png": grayPng(100),
      "light.png": grayPng(250),
    });
    const { result } = await pool.run(miniBatch(0, files));
    expect(result.rows).toEqual(["dark.png: 20", "mid.png: 200", "light.png: 500"]);
    expect(result.succeededItems).toBe(3);
  });
});
