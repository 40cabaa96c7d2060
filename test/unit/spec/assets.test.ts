import { describe, expect, it } from "vitest";
import { parseDataDocument } from "../../../src/spec/data.schema.js";
import { parseDatastoreDocument } from "../../../src/spec/datastore.schema.js";
import { parseModelDocument } from "../../../src/spec/model.schema.js";

describe("parseModelDocument", () => {
  it("reads the v2 heart-classifier MLflow model", () => {
    const parsed = parseModelDocument(`
$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json
name: heart-classifier-mlflow
version: 1
path: model
type: mlflow_model
description: An XGBoost model for heart condition classification
tags: {framework: xgboost}
`);
    expect(parsed).toEqual({
      model: {
        name: "heart-classifier-mlflow",
        version: "1",
        type: "mlflow_model",
        path: "model",
        description: "An XGBoost model for heart condition classification",
        tags: { framework: "xgboost" },
      },
      warnings: [],
    });
  });

  it("reads a 2021 model with local_path, defaulting the type to custom_model", () => {
    const { model } = parseModelDocument("name: autolog_model\nversion: 3\nlocal_path: ./autolog_nyc_taxi\n");
    expect(model).toEqual({
      name: "autolog_model",
      version: "3",
      type: "custom_model",
      path: "./autolog_nyc_taxi",
      tags: {},
    });
  });

  it("uses version 1 when none is given, and says so", () => {
    const parsed = parseModelDocument("name: mnist-classifier-torch\npath: model\ntype: Custom_Model\n");
    expect(parsed.model.version).toBe("1");
    expect(parsed.model.type).toBe("custom_model");
    expect(parsed.warnings).toEqual(["version: not given; version 1 is used"]);
  });

  it("keeps string versions as written", () => {
    expect(parseModelDocument("name: m\nversion: 2024-01.a\npath: p\n").model.version).toBe("2024-01.a");
  });
});

describe("parseDataDocument", () => {
  it("reads a uri_file data asset", () => {
    const parsed = parseDataDocument(`
$schema: https://azuremlschemas.azureedge.net/latest/data.schema.json
name: heart-dataset-unlabeled
version: 1
type: uri_file
path: https://azuremlexampledata.blob.core.windows.net/data/heart-disease-uci/data/heart.csv
description: Heart disease dataset
tags: {source: uci}
`);
    expect(parsed).toEqual({
      data: {
        name: "heart-dataset-unlabeled",
        version: "1",
        type: "uri_file",
        path: "https://azuremlexampledata.blob.core.windows.net/data/heart-disease-uci/data/heart.csv",
        description: "Heart disease dataset",
        tags: { source: "uci" },
      },
      warnings: [],
    });
  });

  it("defaults the type to uri_folder and reads local_path as path", () => {
    const { data } = parseDataDocument("name: mnist-data\nversion: 2\nlocal_path: ./mnist\n");
    expect(data).toEqual({ name: "mnist-data", version: "2", type: "uri_folder", path: "./mnist", tags: {} });
  });
});

describe("parseDatastoreDocument", () => {
  it("reads an azure_blob datastore in another account", () => {
    const parsed = parseDatastoreDocument(`
$schema: https://azuremlschemas.azureedge.net/latest/azureBlob.schema.json
name: blob_example
type: azure_blob
description: Datastore pointing to a blob container.
account_name: mytestblobstore
container_name: data-container
endpoint: core.chinacloudapi.cn
protocol: https
tags: {owner: data-team}
`);
    expect(parsed).toEqual({
      datastore: {
        name: "blob_example",
        type: "azure_blob",
        description: "Datastore pointing to a blob container.",
        account_name: "mytestblobstore",
        container_name: "data-container",
        endpoint: "core.chinacloudapi.cn",
        protocol: "https",
        tags: { owner: "data-team" },
      },
      warnings: [],
    });
  });

  it("applies the defaults: azure_blob, core.windows.net, https, the app's own account", () => {
    const { datastore } = parseDatastoreDocument("name: inputs\ncontainer_name: batch-inputs\n");
    expect(datastore).toEqual({
      name: "inputs",
      type: "azure_blob",
      container_name: "batch-inputs",
      endpoint: "core.windows.net",
      protocol: "https",
      tags: {},
    });
  });
});
