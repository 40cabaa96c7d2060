import type { Environment } from "../../config.js";
import { errors } from "../../errors.js";

/** A compiled blob trigger path: `container/{name}`, `inbox/{folder}/{name}.csv`, `%INBOX%/{name}`. */
export interface BlobPathPattern {
  container: string;
  /** The literal start of blob names that can match: the listing prefix. */
  prefix: string;
  /** The path parameters when a blob name matches, else undefined. */
  match(blobName: string): Record<string, string> | undefined;
}

/**
 * Compiles a blob trigger path. `%SETTING%` parts are replaced by app settings first; the
 * container (first segment) must then be literal; `{param}` matches any run of characters,
 * `/` included, as in Functions (`{name}` binds the whole blob name under the prefix).
 */
export function compileBlobPath(path: string, env: Environment): BlobPathPattern {
  const resolved = path.replace(/%([^%]+)%/g, (_whole, setting: string) => {
    const value = env[setting];
    if (value === undefined || value === "") {
      throw errors.invalidConfig(
        `Blob trigger path '${path}' names app setting '${setting}', which is not set`,
        [{ path: setting, message: `${setting} is not set` }],
      );
    }
    return value;
  });
  const slash = resolved.indexOf("/");
  const container = slash < 0 ? resolved : resolved.slice(0, slash);
  const blobPattern = slash < 0 ? "" : resolved.slice(slash + 1);
  if (!/^[a-z0-9$][a-z0-9-]{1,62}$/.test(container) && container !== "$root") {
    throw errors.invalidConfig(`Blob trigger path '${path}' must start with a literal container name`, [
      { path: "path", message: `'${container}' is not a container name` },
    ]);
  }
  const names: string[] = [];
  let regex = "^";
  let rest = blobPattern;
  while (rest.length > 0) {
    const open = rest.indexOf("{");
    if (open < 0) {
      regex += escapeRegExp(rest);
      break;
    }
    const close = rest.indexOf("}", open);
    if (close < 0) {
      throw errors.invalidConfig(`Blob trigger path '${path}' has an unclosed '{'`, [
        { path: "path", message: "unclosed '{'" },
      ]);
    }
    regex += `${escapeRegExp(rest.slice(0, open))}(.+)`;
    names.push(rest.slice(open + 1, close));
    rest = rest.slice(close + 1);
  }
  const matcher = new RegExp(`${regex}$`, "s");
  const firstParam = blobPattern.indexOf("{");
  return {
    container,
    prefix: firstParam < 0 ? blobPattern : blobPattern.slice(0, firstParam),
    match(blobName) {
      if (blobPattern === "") return {};
      const found = matcher.exec(blobName);
      if (!found) return undefined;
      const params: Record<string, string> = {};
      for (const [i, name] of names.entries()) params[name] = found[i + 1] ?? "";
      return params;
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
