import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

/** The CLI as a user installs it: the tarball `npm pack ./cli` made, installed with `npm install -g`. */
export interface InstalledCli {
  /** `<workDir>/batchfn-cli-<version>.tgz`. */
  tarball: string;
  /** The files in the tarball, as `npm pack` listed them. */
  files: string[];
  /** The global prefix it went into; its `bin/` holds `batchfn`. */
  prefix: string;
  /** `<prefix>/bin/batchfn`. */
  bin: string;
  packMs: number;
  installMs: number;
}

const packListing = z.array(
  z.object({ filename: z.string(), files: z.array(z.object({ path: z.string() })) }),
);

/**
 * Packs the CLI package (`npm pack ./cli`, whose prepack bundles the CLI) into `workDir` and
 * installs the tarball with `npm install -g` into `<workDir>/prefix`, offline and with an empty npm
 * cache of its own: what proves the CLI needs nothing from a registry.
 */
export async function packAndInstallCli(repoDir: string, workDir: string): Promise<InstalledCli> {
  const prefix = join(workDir, "prefix");
  await mkdir(prefix, { recursive: true });
  const env = {
    ...process.env,
    npm_config_cache: join(workDir, "npm-cache"),
    npm_config_offline: "true",
    npm_config_update_notifier: "false",
    npm_config_audit: "false",
    npm_config_fund: "false",
  };
  let started = performance.now();
  const packed = await npm(["pack", "./cli", "--json", "--pack-destination", workDir], repoDir, env);
  const packMs = performance.now() - started;
  const listing = packListing.parse(JSON.parse(packed.slice(packed.search(/^\[/m))))[0];
  if (!listing) throw new Error(`npm pack listed nothing:\n${packed}`);
  const tarball = join(workDir, listing.filename);
  started = performance.now();
  await npm(["install", "--global", tarball], workDir, { ...env, npm_config_prefix: prefix });
  return {
    tarball,
    files: listing.files.map((file) => file.path).sort(),
    prefix,
    bin: join(prefix, "bin", "batchfn"),
    packMs,
    installMs: performance.now() - started,
  };
}

/** Runs npm and answers its stdout; fails with everything it printed. */
function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0
        ? resolve(stdout)
        : reject(new Error(`npm ${args.join(" ")} exited with ${code} (in ${cwd})\n${stdout}\n${stderr}`)),
    );
  });
}
