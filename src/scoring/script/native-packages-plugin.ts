import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Plugin } from "esbuild";
import { errors } from "../../errors.js";

/** Packages with native code that a bundle must import from the app's install, never inline. */
export const NATIVE_PACKAGES = ["onnxruntime-node"];

const SKIP = Symbol("batchfn-native-resolve");

/**
 * The folder holding the app's `node_modules` (the nearest one above this module): bare imports
 * of a scoring script resolve there when the script's own folder has none.
 */
export function appRoot(moduleUrl: string = import.meta.url): string {
  let folder = dirname(fileURLToPath(moduleUrl));
  while (!existsSync(join(folder, "node_modules"))) {
    const parent = dirname(folder);
    if (parent === folder) {
      throw errors.invalidConfig(
        `batchfn is not installed: no node_modules folder above ${fileURLToPath(moduleUrl)}`,
        [],
      );
    }
    folder = parent;
  }
  return folder;
}

/**
 * Keeps imports of `packages` out of the bundle and rewrites them to absolute `file:` URLs of the
 * app's installed copy, so a bundle written to any folder still loads their native binaries.
 */
export function nativePackagesPlugin(packages: string[], root: string): Plugin {
  const escaped = packages.map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
  const filter = new RegExp(`^(${escaped.join("|")})(/.*)?$`);
  return {
    name: "batchfn-native-packages",
    setup(build) {
      build.onResolve({ filter }, async (args) => {
        if (args.pluginData === SKIP) return undefined;
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: root,
          pluginData: SKIP,
        });
        if (resolved.errors.length > 0) {
          return {
            errors: [{ text: `'${args.path}' is not installed in the batchfn app (${root}/node_modules)` }],
          };
        }
        return { path: pathToFileURL(resolved.path).href, external: true };
      });
    },
  };
}
