import type { ErrorDetail } from "../errors.js";
import { SETTINGS_KEYS } from "./deployment-settings.schema.js";
import { isMapping, join } from "./fields.js";

/**
 * Checks of a written deployment that span several keys, made on the mapping as written so they are
 * reported together with the field problems: a setting given in both forms, the endpoint the
 * deployment belongs to, the name it is listed under.
 */
export function checkDeploymentFields(
  document: Record<string, unknown>,
  place: { prefix: string; endpointName?: string; listedAs?: string; insideEndpoint?: boolean },
  problems: ErrorDetail[],
): void {
  const at = (key: string) => join(place.prefix, key);
  const settings = isMapping(document.settings) ? document.settings : {};
  for (const key of SETTINGS_KEYS) {
    if (document[key] !== undefined && settings[key] !== undefined) {
      problems.push({
        path: at(key),
        message: `is also given as settings.${key}; give it once (at the root is the 2021 form, under settings: the v2 form)`,
      });
    }
  }
  const compute = isMapping(document.compute) ? document.compute : {};
  const resources = isMapping(document.resources) ? document.resources : {};
  if (compute.instance_count !== undefined && resources.instance_count !== undefined) {
    problems.push({
      path: at("compute.instance_count"),
      message: "is also given as resources.instance_count; give it once",
    });
  }
  const rootVariables = isMapping(document.environment_variables) ? document.environment_variables : {};
  const settingsVariables = isMapping(settings.environment_variables) ? settings.environment_variables : {};
  for (const variable of Object.keys(settingsVariables)) {
    if (variable in rootVariables) {
      problems.push({
        path: at(`settings.environment_variables.${variable}`),
        message: "is also set in environment_variables; set it once",
      });
    }
  }
  checkEndpointName(document.endpoint_name, place, problems);
  if (place.listedAs !== undefined && typeof document.name === "string" && document.name !== place.listedAs) {
    problems.push({
      path: at("name"),
      message: `is '${document.name}' but the deployment is listed as '${place.listedAs}'`,
    });
  }
}

function checkEndpointName(
  written: unknown,
  place: { prefix: string; endpointName?: string; insideEndpoint?: boolean },
  problems: ErrorDetail[],
): void {
  const path = join(place.prefix, "endpoint_name");
  if (written === undefined && place.endpointName === undefined && !place.insideEndpoint) {
    problems.push({ path, message: "is required (or give the endpoint name with the command)" });
  } else if (
    typeof written === "string" &&
    place.endpointName !== undefined &&
    written !== place.endpointName
  ) {
    problems.push({
      path,
      message: `is '${written}' but the deployment belongs to endpoint '${place.endpointName}'`,
    });
  }
}
