import type { ErrorDetail } from "../errors.js";
import type { DeploymentSettings } from "./resources.js";

/** The settings that decide what an output row holds and where it goes (batchfn additions). */
export const RECORD_SETTINGS = ["key_field", "include_columns", "exclude_columns", "output_layout"] as const;

/**
 * Problems of the record settings that span several keys or depend on the deployment, each at the
 * path `pathOf` gives for its key: pass-through columns (`key_field`, `include_columns`,
 * `exclude_columns`) belong to no-code deployments, as a scoring script returns its own columns;
 * `include_columns` and `exclude_columns` exclude each other, and the key cannot be excluded;
 * pass-through and `per_file` write rows, so they need `append_row`; and with a scoring script,
 * whose rows do not name their input file, `per_file` needs one file per mini-batch.
 */
export function recordSettingsProblems(
  settings: DeploymentSettings,
  options: { scoringScript: boolean; pathOf: (key: keyof DeploymentSettings) => string },
): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const at = (key: keyof DeploymentSettings, message: string) =>
    problems.push({ path: options.pathOf(key), message });
  const passThrough = (["key_field", "include_columns", "exclude_columns"] as const).filter(
    (key) => settings[key] !== undefined,
  );
  for (const key of passThrough) {
    if (options.scoringScript) {
      at(
        key,
        "applies to no-code deployments (ONNX and MLflow models without a scoring script); a scoring script returns its own columns",
      );
    } else if (settings.output_action !== "append_row") {
      at(key, "joins input columns to the prediction rows, so it needs output_action: append_row");
    }
  }
  if (settings.include_columns !== undefined && settings.exclude_columns !== undefined) {
    at("exclude_columns", "give include_columns or exclude_columns, not both");
  }
  if (settings.key_field !== undefined && settings.exclude_columns?.includes(settings.key_field)) {
    at("exclude_columns", `names the key_field '${settings.key_field}', which every row carries`);
  }
  if (settings.output_layout === "per_file") {
    if (settings.output_action !== "append_row") {
      at(
        "output_layout",
        "per_file writes prediction rows per input file, so it needs output_action: append_row",
      );
    } else if (options.scoringScript && settings.mini_batch_size !== 1) {
      at(
        "output_layout",
        "per_file with a scoring script needs mini_batch_size: 1, as the script's rows do not say which input file they come from",
      );
    }
  }
  return problems;
}
