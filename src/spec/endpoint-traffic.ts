import type { ErrorDetail } from "../errors.js";
import { isMapping } from "./fields.js";

/**
 * The 2021 `traffic` map: each deployment gets 0 or 100, at most one gets 100, and that one is the
 * endpoint's default deployment. Checked on the mapping as written, together with the field problems.
 */
export function checkTraffic(
  document: Record<string, unknown>,
  inlineNames: readonly string[] | undefined,
  problems: ErrorDetail[],
): void {
  const traffic = isMapping(document.traffic) ? document.traffic : {};
  const full = Object.keys(traffic).filter((name) => traffic[name] === 100);
  const [first, ...others] = full;
  for (const name of others) {
    problems.push({
      path: `traffic.${name}`,
      message: `only one deployment can take 100 (already given to '${first}')`,
    });
  }
  const defaults = isMapping(document.defaults) ? document.defaults : {};
  const named = defaults.deployment_name;
  if (inlineNames) {
    for (const name of Object.keys(traffic)) {
      if (!inlineNames.includes(name)) {
        problems.push({
          path: `traffic.${name}`,
          message: `names deployment '${name}' that is not in deployments`,
        });
      }
    }
    if (typeof named === "string" && !inlineNames.includes(named)) {
      problems.push({
        path: "defaults.deployment_name",
        message: `names deployment '${named}' that is not in deployments`,
      });
    }
  }
  if (typeof named === "string" && first !== undefined && named !== first) {
    problems.push({
      path: "defaults.deployment_name",
      message: `is '${named}' but traffic gives 100 to '${first}'`,
    });
  }
}

/** The deployment that takes all traffic, if any: the 2021 way to say `defaults.deployment_name`. */
export function fullTrafficDeployment(traffic: Record<string, number> | undefined): string | undefined {
  return Object.entries(traffic ?? {}).find(([, share]) => share === 100)?.[0];
}
