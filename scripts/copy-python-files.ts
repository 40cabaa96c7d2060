import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { copyPythonFiles } from "./packaging/python-files.js";

/** `npm run build`'s last step: the Python files beside the compiled modules in dist/. */
const repoDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const copied = await copyPythonFiles(repoDir, join(repoDir, "dist"));
console.log(`copied ${copied.length} Python files into dist/`);
