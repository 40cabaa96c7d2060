import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../../scripts/monitor/chromium.js";
import { setUpPacedEndpoint } from "../../../scripts/monitor/paced-endpoint.js";
import { loadConfig } from "../../../src/config.js";
import { adminHeaders, call, TEST_ADMIN_KEY, waitForJob } from "../../support/app-client.js";
import { type AppProcess, repoRoot, startAppProcess } from "../../support/app-process.js";

/**
 * The job monitor in a real browser (Debian's Chromium driven by playwright-core) against the real
 * app on the local host: one app and one browser for the whole file.
 */
let app: AppProcess;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let firstJob: string;
let watchedJob: string;
let canceledJob: string;
let endpointKey: string;
const ENDPOINT = "paced";
const FILES = ["a-1.txt", "a-2.txt", "a-3.txt", "a-4.txt", "a-5.txt", "bad-6.txt"];

beforeAll(async () => {
  app = await startAppProcess();
  await setUpPacedEndpoint({
    config: loadConfig(app.env),
    workDir: await mkdtemp(join(tmpdir(), "batchfn-monitor-")),
    endpoint: ENDPOINT,
    folder: "paced",
    files: FILES,
    deployments: [
      {
        name: "quick",
        paceMs: 300,
        settings: { mini_batch_size: 1, max_concurrency_per_instance: 2, retry_settings: { max_retries: 0 } },
      },
      { name: "slow", paceMs: 1500, settings: { mini_batch_size: 1, max_concurrency_per_instance: 1 } },
    ],
  });
  const keyed = await call<{ keys: { primaryKey: string } }>(`${app.url}/api/batch-endpoints/keyed`, {
    method: "PUT",
    body: { auth_mode: "key" },
  });
  expect(keyed.status).toBe(201);
  endpointKey = keyed.body.keys.primaryKey;
  await setUpPacedEndpoint({
    config: loadConfig(app.env),
    workDir: await mkdtemp(join(tmpdir(), "batchfn-monitor-")),
    endpoint: "keyed",
    folder: "paced",
    files: FILES,
    deployments: [{ name: "keyed-quick", paceMs: 20, settings: { mini_batch_size: 3 } }],
  });
  firstJob = await invoke("quick", "first");
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function invoke(deployment: string, out: string, endpoint = ENDPOINT): Promise<string> {
  const answer = await call(`${app.url}/api/batch-endpoints/${endpoint}/jobs`, {
    body: {
      input: "azureml://datastores/workspaceblobstore/paths/paced/",
      deployment_name: deployment,
      output_path: `azureml://datastores/workspaceblobstore/paths/out/${out}/`,
    },
  });
  expect(answer.status).toBe(202);
  return String(answer.body.name);
}

const monitorUrl = (fragment = "") => `${app.url}/api/monitor/${fragment}`;

/** A fresh tab (its own session storage), signed in (with the admin key by default) by keyboard only. */
async function signedInPage(fragment = "", credential = TEST_ADMIN_KEY): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(monitorUrl(fragment));
  await expect.poll(() => page.locator("#credential:focus").count()).toBe(1);
  await page.keyboard.type(credential);
  await page.keyboard.press("Enter");
  return page;
}

describe("the job monitor page", () => {
  it("serves its files without a credential, with no data in them and a strict Content-Security-Policy", async () => {
    const html = await fetch(monitorUrl());
    expect(html.status).toBe(200);
    expect(html.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = html.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("unsafe-inline");
    const text = await html.text();
    expect(text).not.toContain(firstJob);
    expect(text).not.toMatch(/<script>|<style>|\son[a-z]+=/i);
    const script = await fetch(monitorUrl("monitor.js"));
    expect([script.status, script.headers.get("content-type")]).toEqual([
      200,
      "text/javascript; charset=utf-8",
    ]);
    expect(await script.text()).not.toContain(firstJob);
    const bare = await fetch(`${app.url}/api/monitor`, { redirect: "manual" });
    expect([bare.status, bare.headers.get("location")]).toEqual([301, "/api/monitor/"]);
    expect((await fetch(monitorUrl("secrets.json"))).status).toBe(404);
    // `npm start` (the same entry) prints where the page is
    expect(app.output()).toContain(`Job monitor: ${app.url}/api/monitor/`);
  });

  it("never parses data as HTML: the page's code has no innerHTML, outerHTML, insertAdjacentHTML or document.write", async () => {
    const sources = join(repoRoot, "src", "monitor");
    const files = (await readdir(sources, { recursive: true })).filter((name) => name.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = await readFile(join(sources, file), "utf8");
      expect(text, file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    }
  });

  it("shows only the sign-in form without a credential, and asks again when a key is refused", async () => {
    const page = await browser.context.newPage();
    const dataRequests: string[] = [];
    page.on("request", (request) => {
      if (!request.url().includes("/api/monitor/")) dataRequests.push(request.url());
    });
    await page.goto(monitorUrl(`#/jobs/${firstJob}`));
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    await page.waitForTimeout(1500);
    expect(await page.locator("main").innerText()).not.toContain(firstJob);
    expect(await page.locator("table").count()).toBe(0);
    expect(dataRequests).toEqual([]);

    await page.getByLabel("Key or token").fill("not-the-key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "Refused" }).waitFor();
    expect(await page.locator("main").innerText()).not.toContain(firstJob);
    expect(await page.evaluate("sessionStorage.length")).toBe(0);
    await page.close();
  });

  it("follows a real job to Completed, lists the failed item by file name, previews and downloads the predictions", async () => {
    watchedJob = await invoke("quick", "watched");
    const page = await signedInPage(`#/jobs/${watchedJob}`);
    await page
      .getByRole("status")
      .filter({ hasText: /NotStarted|Preparing|Running/ })
      .waitFor({ timeout: 30_000 });
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 90_000 });
    expect(await page.getByTestId("progress-mini-batches").innerText()).toBe("6 of 6 done, 1 failed");
    expect(await page.locator("#progress-items").getAttribute("value")).toBe("6");
    await expect.poll(() => page.getByText("Completed, but 1 item failed").count()).toBe(1);

    const errors = page.getByRole("table", { name: "Failed items" });
    await errors.waitFor();
    const row = errors.getByRole("row").filter({ hasText: "bad-6.txt" });
    expect(await row.innerText()).toContain("cannot read bad-6.txt");

    await expect.poll(() => page.locator(".log").innerText(), { timeout: 10_000 }).toContain("Job Completed");
    expect(await page.locator(".log").innerText()).toContain("scored a-1.txt");
    expect(await page.locator(".settings").innerText()).toMatch(/mini_batch_size\s+1/);

    const preview = await page.getByLabel("First lines of predictions.csv").innerText();
    expect(preview.split("\n")).toHaveLength(5);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download predictions.csv" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("predictions.csv");
    const downloaded = await readFile((await download.path()) ?? "", "utf8");
    const job = await call<{ links: { outputs: string } }>(`${app.url}/api/jobs/${watchedJob}`);
    const served = await (
      await fetch(`${job.body.links.outputs}/predictions.csv`, { headers: adminHeaders })
    ).text();
    expect(downloaded).toBe(served);
    expect(preview).toBe(served.trim());
    await page.close();
  });

  it("cancels a running job from its Cancel button", async () => {
    const job = await invoke("slow", "canceled");
    canceledJob = job;
    const page = await signedInPage(`#/jobs/${job}`);
    await page.getByRole("status").filter({ hasText: "Running" }).waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Cancel job" }).click();
    await page.getByRole("button", { name: "Yes, cancel the job" }).click();
    await page.getByRole("status").filter({ hasText: "Canceled" }).waitFor({ timeout: 60_000 });
    await page.getByText("This job was canceled.").waitFor();
    expect(await page.getByRole("button", { name: "Cancel job" }).count()).toBe(0);
    const done = (await waitForJob(`${app.url}/api/jobs/${job}`)) as {
      status: string;
      progress: { mini_batches: { succeeded: number; total: number } };
    };
    expect(done.status).toBe("Canceled");
    expect(done.progress.mini_batches.succeeded).toBeLessThan(done.progress.mini_batches.total);
    await page.close();
  });

  it("lists jobs newest first, filters them by status, and shows the endpoints with the default deployment", async () => {
    const page = await signedInPage();
    const links = page.locator("table.jobs tbody tr td:first-child a");
    await links.first().waitFor();
    await expect.poll(() => links.allInnerTexts()).toEqual([canceledJob, watchedJob, firstJob]);
    await page.getByLabel("Status").selectOption("Completed");
    await expect.poll(() => new URL(page.url()).hash).toBe("#/jobs?status=Completed");
    await expect.poll(() => links.allInnerTexts()).toEqual([watchedJob, firstJob]);

    await page.getByRole("link", { name: "Endpoints" }).click();
    const section = page.getByRole("region", { name: ENDPOINT });
    await section.waitFor();
    const quick = section.getByRole("row").filter({ hasText: "quick" });
    expect(await quick.innerText()).toContain("default");
    expect(await quick.innerText()).toContain("paced-model:1");
    expect(await section.getByRole("row").filter({ hasText: "slow" }).innerText()).not.toContain("default");
    await page.close();
  });

  it("shows an endpoint key its endpoint's jobs only", async () => {
    const own = await invoke("keyed-quick", "keyed", "keyed");
    const page = await signedInPage("", endpointKey);
    await page.getByText("This credential may not see every endpoint's jobs").waitFor();
    expect(await page.locator("table").count()).toBe(0);
    await page.getByLabel("Endpoint").fill("keyed");
    await page.getByLabel("Endpoint").press("Enter");
    const links = page.locator("table.jobs tbody tr td:first-child a");
    await expect.poll(() => links.allInnerTexts()).toEqual([own]);

    await page.goto(monitorUrl(`#/jobs/${firstJob}`));
    await page.getByText(`This credential may not see job '${firstJob}'`).waitFor();
    expect(await page.locator("main").innerText()).not.toContain("paced-model");
    await page.close();
  });
});
