import { errorReport } from "./output/report-error.js";
import { runCli } from "./run-cli.js";

// The `batchfn` command (scripts/cli-bundle.ts bundles this file into the CLI users run).
const args = process.argv.slice(2);
// `batchfn ... | head`: once the reader has what it wants and closes the pipe, stop quietly, as the
// commands of a shell do, instead of an unhandled EPIPE with its stack trace.
process.stdout.on("error", (thrown: NodeJS.ErrnoException) => {
  if (thrown.code !== "EPIPE") throw thrown;
  process.exit(process.exitCode ?? 0);
});
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
