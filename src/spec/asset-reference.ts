import { errors } from "../errors.js";
import { assetName, assetVersion } from "./resources.js";

/** A pinned asset version: `azureml:heart-classifier:1`. */
export interface VersionedReference {
  name: string;
  version: string;
}

/** The newest version of an asset, resolved by the registry: `azureml:heart-classifier@latest`. */
export interface LatestReference {
  name: string;
  label: "latest";
}

export type AssetReference = VersionedReference | LatestReference;

const PREFIX = "azureml:";

/**
 * Reads `azureml:<name>:<version>`, `<name>:<version>` and, when `allowLatest`, `azureml:<name>@latest`;
 * gives the reason in words when the text is none of these.
 */
export function readAssetReference(
  text: string,
  allowLatest: boolean,
): { ok: true; value: AssetReference } | { ok: false; message: string } {
  const forms = `azureml:<name>:<version> or <name>:<version>${allowLatest ? " or azureml:<name>@latest" : ""}`;
  const body = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : text;
  const latest = body.endsWith("@latest") ? body.slice(0, -"@latest".length) : undefined;
  if (latest !== undefined) {
    if (!allowLatest) return { ok: false, message: `must pin a version: ${forms} (got '${text}')` };
    const name = assetName.safeParse(latest);
    if (!name.success) return { ok: false, message: `has an invalid name '${latest}' (must be ${forms})` };
    return { ok: true, value: { name: name.data, label: "latest" } };
  }
  const parts = body.split(":");
  const [rawName, rawVersion] = parts;
  if (parts.length !== 2 || rawName === undefined || rawVersion === undefined) {
    return { ok: false, message: `must be ${forms} (got '${text}')` };
  }
  const name = assetName.safeParse(rawName);
  if (!name.success) return { ok: false, message: `has an invalid name '${rawName}' (must be ${forms})` };
  const version = assetVersion.safeParse(rawVersion);
  if (!version.success) {
    return { ok: false, message: `has an invalid version '${rawVersion}' (must be ${forms})` };
  }
  return { ok: true, value: { name: name.data, version: version.data } };
}

/**
 * Parses an asset reference (`azureml:<name>:<version>`, `<name>:<version>`; with `allowLatest`, also
 * `azureml:<name>@latest`). Throws `InvalidReference` naming the text when it is none of these.
 */
export function parseAssetReference(text: string): VersionedReference;
export function parseAssetReference(text: string, options: { allowLatest: boolean }): AssetReference;
export function parseAssetReference(text: string, options?: { allowLatest: boolean }): AssetReference {
  const result = readAssetReference(text.trim(), options?.allowLatest ?? false);
  if (!result.ok) throw errors.invalidReference(`Asset reference ${result.message}.`);
  return result.value;
}

/** Tells a pinned reference from an `@latest` one. */
export function isLatestReference(reference: AssetReference): reference is LatestReference {
  return "label" in reference;
}
