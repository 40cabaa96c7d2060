import { spawn } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packAndInstallCli } from "../../scripts/packaging/install-cli.js";
import { repoRoot } from "../harness/host-process.js";
import { type BenchContext, median, withHost } from "./bench-context.js";

export interface CliStartupResult {
  /** `batchfn --help`, wall time from spawn to exit, median. */
  help_s: number;
  /** `batchfn batch-endpoint show -n <endpoint>` against the local host, median. */
  show_s: number;
  /** `node -e 0`: what starting Node alone costs here, the floor of both. */
  node_s: number;
  help_runs_s: number[];
  show_runs_s: number[];
  node_runs_s: number[];
  /** The installed bundle (`batchfn.mjs`). */
  bundle_kb: number;
  /** `npm pack ./cli` (bundling included) and `npm install -g` of the tarball, offline. */
  pack_s: number;
  install_s: number;
}

const ENDPOINT = "bench-cli";

/**
 * The CLI as users install it (`npm pack ./cli`, `npm install -g` into a prefix of its own), timed
 * from spawn to exit: `--help` (start-up alone), and `batch-endpoint show` against the bench's host
 * (start-up, one authenticated request, output), next to `node -e 0`, the floor. Runs alternate, so
 * a burst of load elsewhere costs each command alike.
 */
export async function cliStartupBench(context: BenchContext): Promise<CliStartupResult> {
  const work = await mkdtemp(join(tmpdir(), "batchfn-bench-cli-"));
  try {
    context.progress("cli: npm pack ./cli and npm install -g of the tarball (offline)");
    const installed = await packAndInstallCli(repoRoot, work);
    return await withHost(context, async (host) => {
      const created = await fetch(`${host.url}/api/batch-endpoints/${ENDPOINT}`, {
        method: "PUT",
        headers: { "content-type": "application/json", "x-functions-key": context.world.adminKey },
        body: JSON.stringify({ description: "the CLI's start-up bench" }),
      });
      if (!created.ok) throw new Error(`creating ${ENDPOINT} answered ${created.status}`);
      const env = { ...process.env, BATCHFN_URL: host.url, BATCHFN_KEY: context.world.adminKey };
      const runs = context.quick ? 3 : 10;
      context.progress(`cli: ${runs} runs each of batchfn --help, batchfn batch-endpoint show, node -e 0`);
      const help: number[] = [];
      const show: number[] = [];
      const node: number[] = [];
      for (let run = 0; run < runs; run++) {
        help.push(await timed(installed.bin, ["--help"], env, work));
        show.push(await timed(installed.bin, ["batch-endpoint", "show", "-n", ENDPOINT], env, work));
        node.push(await timed(process.execPath, ["-e", "0"], env, work));
      }
      const bundle = await stat(join(installed.prefix, "lib", "node_modules", "batchfn-cli", "batchfn.mjs"));
      return {
        help_s: median(help),
        show_s: median(show),
        node_s: median(node),
        help_runs_s: help,
        show_runs_s: show,
        node_runs_s: node,
        bundle_kb: bundle.size / 1024,
        pack_s: installed.packMs / 1000,
        install_s: installed.installMs / 1000,
      };
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Seconds from spawn to exit; a failed command fails the bench with what it printed. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code === 0) resolve(seconds);
      else reject(new Error(`${command} ${args.join(" ")} exited with ${code}: ${stderr}`));
    });
  });
}
