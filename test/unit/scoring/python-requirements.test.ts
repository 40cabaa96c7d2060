import { describe, expect, it } from "vitest";
import { deploymentRequirements } from "../../../src/scoring/python/deployment-environment.js";
import {
  condaRequirements,
  moduleOf,
  pipRequirements,
} from "../../../src/scoring/python/python-requirements.js";
import { deploymentSchema } from "../../../src/spec/resources.js";

describe("Python requirements", () => {
  it("maps package names to the modules they provide", () => {
    expect(moduleOf("scikit-learn")).toBe("sklearn");
    expect(moduleOf("Pillow")).toBe("PIL");
    expect(moduleOf("opencv-python-headless")).toBe("cv2");
    expect(moduleOf("PyYAML")).toBe("yaml");
    expect(moduleOf("typing_extensions")).toBe("typing_extensions");
    expect(moduleOf("lightgbm")).toBe("lightgbm");
    expect(moduleOf("my-package")).toBe("my_package");
  });

  it("reads a conda file's packages and its pip list, with exact versions, leaving plumbing out", () => {
    const conda = {
      channels: ["conda-forge"],
      dependencies: [
        "python=3.10",
        "pip=23",
        "conda-forge::numpy=1.24.2",
        "pandas>=1.5",
        "scikit-learn 1.2.*",
        {
          pip: [
            "mlflow==2.9",
            "mlflow-skinny",
            "azureml-core==1.50",
            "inference-schema",
            "pillow==9.4.0",
            "-r extra.txt",
            "lightgbm[dask]==3.3 ; python_version > '3'",
          ],
        },
      ],
    };
    expect(condaRequirements(conda, "environment.conda_file")).toEqual([
      { name: "numpy", module: "numpy", pinned: "1.24.2", source: "environment.conda_file" },
      { name: "pandas", module: "pandas", source: "environment.conda_file" },
      { name: "scikit-learn", module: "sklearn", source: "environment.conda_file" },
      { name: "pillow", module: "PIL", pinned: "9.4.0", source: "environment.conda_file (pip)" },
      { name: "lightgbm", module: "lightgbm", pinned: "3.3", source: "environment.conda_file (pip)" },
    ]);
  });

  it("reads a requirements file, skipping comments, options and URLs", () => {
    const text =
      "# model needs\nscikit-learn==1.2.1  # pinned\n--extra-index-url https://x\ngit+https://github.com/a/b\n\ncloudpickle>=2\n";
    expect(pipRequirements(text, "model/requirements.txt")).toEqual([
      { name: "scikit-learn", module: "sklearn", pinned: "1.2.1", source: "model/requirements.txt" },
      { name: "cloudpickle", module: "cloudpickle", source: "model/requirements.txt" },
    ]);
  });
});

describe("deploymentRequirements", () => {
  const deployment = (accepted: Record<string, unknown>) =>
    deploymentSchema.parse({
      name: "d1x",
      endpoint_name: "e1x",
      model: { name: "m", version: "1" },
      code_configuration: { code: "azureml://x", scoring_script: "score.py" },
      accepted_not_used: accepted,
    });

  it("reads an inline conda file and says an image is not used", () => {
    const { requirements, warnings } = deploymentRequirements(
      deployment({ environment: { image: "img:1", conda_file: { dependencies: ["pandas"] } } }),
    );
    expect(requirements.map((r) => r.module)).toEqual(["pandas"]);
    expect(warnings).toEqual([
      "environment.image: 'img:1' is not used; the app's Python interpreter (BATCHFN_PYTHON) runs the script",
    ]);
  });

  it("warns, without refusing, about an environment it cannot read", () => {
    expect(deploymentRequirements(deployment({ environment: "azureml:sklearn-env:3" })).warnings).toEqual([
      "environment: 'azureml:sklearn-env:3' names an Azure ML environment asset, which batchfn does not hold; its packages were not checked (write the environment inline, with its conda_file)",
    ]);
    expect(deploymentRequirements(deployment({ conda_file: "./conda.yml" })).warnings).toEqual([
      "conda_file: './conda.yml' is a file the server cannot read; its packages were not checked (the batchfn CLI sends the file's content)",
    ]);
  });
});
