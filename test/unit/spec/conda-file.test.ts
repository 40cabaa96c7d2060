import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { inlineCondaFiles } from "../../../src/spec/conda-file.js";

const files: Record<string, string> = {
  "env/conda.yaml": "dependencies:\n  - pandas\n",
  "bad.yaml": "- a list",
};
const read = async (path: string) => {
  const text = files[path];
  if (text === undefined) throw new Error(`ENOENT: no such file '${path}'`);
  return text;
};
const python = { code_configuration: { code: "./code", scoring_script: "score.py" } };

describe("inlineCondaFiles", () => {
  it("replaces a Python deployment's conda file paths by their content", async () => {
    const document: Record<string, unknown> = {
      ...python,
      environment: { image: "img", conda_file: "env/conda.yaml" },
    };
    await inlineCondaFiles(document, read);
    expect(document.environment).toEqual({ image: "img", conda_file: { dependencies: ["pandas"] } });
  });

  it("leaves the files of a JavaScript deployment as written", async () => {
    const document = {
      code_configuration: { code: "./code", scoring_script: "score.ts" },
      conda_file: "nowhere.yml",
    };
    await inlineCondaFiles(document, read);
    expect(document.conda_file).toBe("nowhere.yml");
  });

  it.each([
    ["missing.yaml", "environment.conda_file 'missing.yaml' cannot be read: ENOENT"],
    ["bad.yaml", "environment.conda_file 'bad.yaml' is not a conda file"],
  ])("refuses %s naming the field", async (path, message) => {
    const thrown = await inlineCondaFiles({ ...python, environment: { conda_file: path } }, read).catch(
      (e) => e,
    );
    expect(thrown).toBeInstanceOf(BatchfnError);
    expect(thrown.code).toBe("InvalidReference");
    expect(thrown.message).toContain(message);
  });
});
