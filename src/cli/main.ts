import { errorReport } from "./output/report-error.js";
import { runCli } from "./run-cli.js";

// The `batchfn` command (bin/batchfn.mjs runs this file, compiled or through tsx).
const args = process.argv.slice(2);
runCli(args, {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (thrown: unknown) => {
    // runCli reports every failure itself; this is the last guard, in the same form.
    process.stderr.write(errorReport(thrown, args.includes("--debug")));
    process.exitCode = 1;
  },
);
