import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { isLatestReference, parseAssetReference } from "../../../src/spec/asset-reference.js";

describe("parseAssetReference", () => {
  it.each([
    ["azureml:heart-classifier-mlflow:1", { name: "heart-classifier-mlflow", version: "1" }],
    ["heart-classifier-mlflow:12", { name: "heart-classifier-mlflow", version: "12" }],
    ["azureml:autolog_model:2021.10.a", { name: "autolog_model", version: "2021.10.a" }],
    ["  azureml:m:1  ", { name: "m", version: "1" }],
  ])("reads %s", (text, expected) => {
    expect(parseAssetReference(text)).toEqual(expected);
  });

  it("reads azureml:<name>@latest when allowed", () => {
    const reference = parseAssetReference("azureml:heart-classifier-mlflow@latest", { allowLatest: true });
    expect(reference).toEqual({ name: "heart-classifier-mlflow", label: "latest" });
    expect(isLatestReference(reference)).toBe(true);
    expect(isLatestReference(parseAssetReference("m:1", { allowLatest: true }))).toBe(false);
  });

  it.each([
    [
      "azureml:heart",
      "Asset reference must be azureml:<name>:<version> or <name>:<version> (got 'azureml:heart').",
    ],
    ["a:b:c", "Asset reference must be azureml:<name>:<version> or <name>:<version> (got 'a:b:c')."],
    [
      "azureml:m@latest",
      "Asset reference must pin a version: azureml:<name>:<version> or <name>:<version> (got 'azureml:m@latest').",
    ],
    [
      "azureml:bad name:1",
      "Asset reference has an invalid name 'bad name' (must be azureml:<name>:<version> or <name>:<version>).",
    ],
    [
      "azureml:m:",
      "Asset reference has an invalid version '' (must be azureml:<name>:<version> or <name>:<version>).",
    ],
  ])("rejects %s with InvalidReference", (text, message) => {
    const attempt = () => parseAssetReference(text);
    expect(attempt).toThrow(BatchfnError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (thrown) {
      expect(thrown).toMatchObject({ code: "InvalidReference", status: 400 });
    }
  });

  it("names the latest form in the message when it is allowed", () => {
    expect(() => parseAssetReference("m", { allowLatest: true })).toThrow(
      "Asset reference must be azureml:<name>:<version> or <name>:<version> or azureml:<name>@latest (got 'm').",
    );
  });
});
