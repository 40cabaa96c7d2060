import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { startLocalApp } from "../src/local-host/start-local-app.js";
import { launchChromium } from "./monitor/chromium.js";
import { setUpPacedEndpoint } from "./monitor/paced-endpoint.js";

/**
 * `npm run screenshots`: the pictures of docs/monitor.md. Starts the app on this machine (its own
 * in-memory Azurite on free ports), runs two jobs of a paced scoring script, opens the job monitor
 * in headless Chromium and writes docs/monitor/jobs.png, job-running.png and job-failed.png.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "docs", "monitor");
const adminKey = randomBytes(24).toString("base64url");

async function main(): Promise<void> {
  const app = await startLocalApp({
    appDir: root,
    entry: "functions/index.ts",
    port: 0,
    storage: { kind: "isolated" },
    settings: { BATCHFN_ADMIN_KEY: adminKey },
  });
  const browser = await launchChromium();
  try {
    const files = [
      ...Array.from({ length: 60 }, (_, i) => `record-${String(i + 1).padStart(3, "0")}.txt`),
      "bad-017.txt",
      "bad-042.txt",
    ];
    await setUpPacedEndpoint({
      config: app.config,
      workDir: await mkdtemp(join(tmpdir(), "batchfn-screenshots-")),
      endpoint: "records",
      folder: "records",
      files,
      deployments: [
        {
          name: "paced",
          paceMs: 250,
          settings: {
            mini_batch_size: 2,
            max_concurrency_per_instance: 2,
            retry_settings: { max_retries: 0 },
          },
        },
        {
          name: "strict",
          paceMs: 30,
          settings: { mini_batch_size: 4, error_threshold: 0, retry_settings: { max_retries: 1 } },
        },
      ],
    });
    await mkdir(outDir, { recursive: true });
    const page = await browser.context.newPage();
    await page.goto(`${app.url}/api/monitor/`);
    await page.getByLabel("Key or token").fill(adminKey);
    await page.getByRole("button", { name: "Sign in" }).click();

    const failed = await invoke(app.url, "strict");
    await page.goto(`${app.url}/api/monitor/#/jobs/${failed}`);
    await page.getByText("This job failed.").waitFor({ timeout: 120_000 });
    await page.getByRole("table", { name: "Failed items" }).waitFor();
    await shoot(page, "job-failed.png");

    const running = await invoke(app.url, "paced");
    await page.goto(`${app.url}/api/monitor/#/jobs/${running}`);
    // (the page's Content-Security-Policy forbids evaluating strings, so read the bar's attribute)
    const bar = page.locator("#progress-mini-batches");
    for (let tries = 0; Number((await bar.getAttribute("value").catch(() => null)) ?? 0) < 12; tries += 1) {
      if (tries > 600) throw new Error("the running job made no progress in 2 minutes");
      await page.waitForTimeout(200);
    }
    await shoot(page, "job-running.png");

    await page.goto(`${app.url}/api/monitor/#/jobs`);
    await page.getByRole("link", { name: running }).waitFor();
    await shoot(page, "jobs.png");
    await page.goto(`${app.url}/api/monitor/#/jobs/${running}`);
    await page.getByText("Completed", { exact: true }).first().waitFor({ timeout: 120_000 });
  } finally {
    await browser.close();
    await app.stop();
  }
}

async function invoke(url: string, deployment: string): Promise<string> {
  const response = await fetch(`${url}/api/batch-endpoints/records/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-functions-key": adminKey },
    body: JSON.stringify({
      input: "azureml://datastores/workspaceblobstore/paths/records/",
      deployment_name: deployment,
      output_path: `azureml://datastores/workspaceblobstore/paths/records-out/${deployment}/`,
    }),
  });
  const body = (await response.json()) as { name?: string };
  if (response.status !== 202 || !body.name)
    throw new Error(`invoke answered ${response.status}: ${JSON.stringify(body)}`);
  return body.name;
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(outDir, name), fullPage: true });
  console.log(`wrote docs/monitor/${name}`);
}

main().catch((thrown: unknown) => {
  console.error(`npm run screenshots failed: ${thrown instanceof Error ? thrown.stack : String(thrown)}`);
  process.exit(1);
});
