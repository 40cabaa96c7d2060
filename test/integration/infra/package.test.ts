import { spawn, spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { parseIgnoreRules } from "../../../scripts/packaging/funcignore.js";
import { tableCrc32 } from "../../../scripts/packaging/zip-writer.js";
import { MONITOR_CSP } from "../../../src/api/monitor/monitor-page.js";
import { stopChild, whenListening } from "../../../src/local-host/child-host.js";
import { adminHeaders } from "../../support/app-client.js";
import { appSettings, repoRoot } from "../../support/app-process.js";
import { dockerfileNodeVersion } from "./dockerfile-checks.js";
import { enginesAdmit } from "./node-engines.js";
import { readZip, type ZipFile } from "./zip-reader.js";

const packageJsonSchema = z.object({
  name: z.string(),
  version: z.string(),
  main: z.string(),
  dependencies: z.record(z.string(), z.string()),
  devDependencies: z.record(z.string(), z.string()),
});

let work: string;
let zipPath: string;
let output: string;
let entries: ZipFile[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "batchfn-package-test-"));
  const pkg = packageJsonSchema.parse(JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8")));
  const run = await runPackage(join(work, "out"), PACKAGE_TIMEOUT_MS);
  output = run.output;
  expect(run.status, output).toBe(0);
  zipPath = join(work, "out", `${pkg.name}-${pkg.version}.zip`);
  entries = await readZip(zipPath, tableCrc32);
}, 600_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("npm run package", () => {
  it("prints the zip's size in MB", () => {
    expect(output).toMatch(new RegExp(`${escapeRegExp(zipPath)}: \\d+\\.\\d MB, ${entries.length} files`));
  });

  it("holds dist/, the root files and production dependencies only, for Linux x64", async () => {
    const pkg = packageJsonSchema.parse(JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8")));
    const names = new Set(entries.map((entry) => entry.name));
    const topLevel = new Set(entries.map((entry) => entry.name.split("/")[0]));
    expect([...topLevel].sort()).toEqual([
      "dist",
      "host.json",
      "node_modules",
      "package-lock.json",
      "package.json",
    ]);
    expect(pkg.main).toBe("dist/functions/index.js");
    expect(names).toContain(pkg.main);
    expect(names).toContain("dist/src/local-host/main.js");
    expect(names).toContain("dist/src/scoring/python/driver.py");
    for (const file of ["index.html", "monitor.js", "monitor.css"])
      expect(names).toContain(`dist/monitor/${file}`);
    const ours = entries.filter((e) => !e.name.startsWith("node_modules/")).map((e) => e.name);
    expect(
      ours.filter(
        (name) =>
          !/^dist\/(src|functions)\/.+\.(js|py)$/.test(name) &&
          !/^dist\/monitor\/(index\.html|monitor\.js|monitor\.css)$/.test(name) &&
          !topLevel.has(name),
      ),
    ).toEqual([]);
    expect(ours.filter((name) => /\.test\.js$/.test(name))).toEqual([]);
    expect(entries.filter((e) => e.name.endsWith(".ts")).map((e) => e.name)).toEqual([]);
    for (const dependency of Object.keys(pkg.dependencies)) {
      expect(names, dependency).toContain(`node_modules/${dependency}/package.json`);
    }
    for (const dependency of Object.keys(pkg.devDependencies)) {
      if (pkg.dependencies[dependency]) continue;
      expect(
        [...names].some((name) => name.startsWith(`node_modules/${dependency}/`)),
        dependency,
      ).toBe(false);
    }
    const native = entries
      .filter((e) => e.name.startsWith("node_modules/onnxruntime-node/bin/"))
      .map((e) => e.name.split("/").slice(4, 6).join("/"));
    expect(new Set(native)).toEqual(new Set(["linux/x64"]));
    expect(entries.find((e) => e.name === "node_modules/@esbuild/linux-x64/bin/esbuild")?.mode).toBe(0o755);
  });

  it("agrees with the Dockerfile on the Node line: the zip's package.json engines admit the image's Node", async () => {
    const shipped = entries.find((entry) => entry.name === "package.json");
    const engines = z
      .object({ engines: z.object({ node: z.string() }) })
      .parse(JSON.parse(shipped?.data.toString("utf8") ?? "{}"));
    const node = dockerfileNodeVersion(await readFile(join(repoRoot, "Dockerfile"), "utf8"));
    expect(node).toBeDefined();
    expect(enginesAdmit(engines.engines.node, Number(node))).toBe(true);
  });

  it("agrees with .funcignore: it leaves out nothing .funcignore keeps at the top and keeps nothing it ignores", async () => {
    const rules = parseIgnoreRules(await readFile(join(repoRoot, ".funcignore"), "utf8"));
    expect(entries.filter((entry) => rules.ignores(entry.name)).map((entry) => entry.name)).toEqual([]);
    const kept = readdirSync(repoRoot, { withFileTypes: true })
      .filter((entry) => !rules.ignores(entry.name, entry.isDirectory()))
      .map((entry) => entry.name);
    const zipped = [...new Set(entries.map((entry) => entry.name.split("/")[0] ?? ""))].sort();
    // dist/ is there once `npm run build` ran; the package builds its own.
    expect([...new Set([...kept, "dist"])].sort()).toEqual(zipped);
  });

  it("unzipped into an empty folder, loads the app under the local host and answers GET /api/batch-endpoints and the monitor page", async () => {
    const appDir = join(work, "app");
    for (const entry of entries) {
      const target = join(appDir, entry.name);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, entry.data);
      await chmod(target, entry.mode);
    }
    const unzipped = spawnSync("unzip", ["-tq", zipPath], { encoding: "utf8" });
    if (unzipped.error)
      console.log("unzip not installed: the package was extracted with the built-in reader only");
    else expect(unzipped.status, unzipped.stdout).toBe(0);

    const app = spawn(
      process.execPath,
      [join(appDir, "dist/src/local-host/main.js"), "--storage", "environment", "--port", "0", "--quiet"],
      {
        cwd: appDir,
        env: { ...withoutNodeOptions(process.env), ...(await appSettings()) },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    try {
      const url = await whenListening(app, "the packaged app");
      const response = await fetch(`${url}/api/batch-endpoints`, { headers: adminHeaders });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ value: [] });
      // the job monitor's page, bundled at build time and served from dist/monitor/
      const page = await fetch(`${url}/api/monitor/`);
      expect([page.status, page.headers.get("content-security-policy")]).toEqual([200, MONITOR_CSP]);
      expect(await page.text()).toContain('<script src="monitor.js" defer></script>');
      const script = await fetch(`${url}/api/monitor/monitor.js`);
      expect(script.status).toBe(200);
      expect((await script.text()).length).toBeGreaterThan(10_000);
    } finally {
      await stopChild(app);
    }
  }, 120_000);
});

/** `npm run package` took 45 s alone here and ≈90 s beside the rest of the suite. */
const PACKAGE_TIMEOUT_MS = 300_000;

/**
 * Runs `npm run package` without blocking this worker (spawnSync would keep vitest from ever
 * timing the test out), and kills its whole process group after `timeoutMs`.
 */
function runPackage(outDir: string, timeoutMs: number): Promise<{ status: number | null; output: string }> {
  const child = spawn("npm", ["run", "package", "--", "--out", outDir], {
    cwd: repoRoot,
    env: withoutNodeOptions(process.env),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const collect = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-50_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      text += `\n(npm run package did not finish within ${timeoutMs / 1000} s: stopped)`;
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    }, timeoutMs);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, output: text });
    });
  });
}

/** The environment without loaders vitest or tsx may have added: the package must run on plain Node. */
function withoutNodeOptions(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _options, ...rest } = env;
  return rest;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
