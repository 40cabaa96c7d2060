import { fileURLToPath } from "node:url";

/**
 * The path of a Python file shipped with batchfn in this folder (`driver.py`, built-in scoring
 * modules). It lies beside this module both in `src/` and in the build (`npm run build` and the
 * package copy the `.py` files into `dist/`).
 */
export function pythonFile(name: string): string {
  return fileURLToPath(new URL(`./${name}`, import.meta.url));
}
