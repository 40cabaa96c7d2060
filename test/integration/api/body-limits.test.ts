import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminHeaders } from "../../support/app-client.js";
import { type AppProcess, startAppProcess } from "../../support/app-process.js";

let app: AppProcess;

beforeAll(async () => {
  app = await startAppProcess();
  const created = await fetch(`${app.url}/api/batch-endpoints/roomy`, {
    method: "PUT",
    headers: { ...adminHeaders, "content-type": "application/json" },
    body: "{}",
  });
  expect(created.status).toBe(201);
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

const MB = 1024 * 1024;

/** Sends a JSON body of about `bytes` bytes with its Content-Length, on a connection of its own (as curl does). */
function send(method: string, path: string, bytes: number): Promise<{ status: number; text: string }> {
  const body = Buffer.from(JSON.stringify({ input: "azureml://x/", description: "x".repeat(bytes) }));
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${app.url}/api/${path}`,
      {
        method,
        agent: false,
        headers: { ...adminHeaders, "content-type": "application/json", "content-length": body.length },
      },
      (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    outgoing.once("error", reject);
    outgoing.end(body);
  });
}

describe("bodies over the API's limits, through the app on the local host", () => {
  it.each([
    ["a 3 MB endpoint document", "PUT", "batch-endpoints/too-big", 3 * MB, MB],
    ["a 50 MB endpoint document", "PUT", "batch-endpoints/too-big", 50 * MB, MB],
    ["a 3 MB invocation", "POST", "batch-endpoints/roomy/jobs", 3 * MB, MB],
    ["a 60 MB artifact upload", "POST", "artifacts", 60 * MB, 50 * MB],
  ])(
    "answers %s with 413 PayloadTooLarge and stores nothing",
    async (_label, method, path, size, limit) => {
      const response = await send(method, path, size);
      expect(response.status).toBe(413);
      expect(JSON.parse(response.text)).toMatchObject({
        error: { code: "PayloadTooLarge", message: `The body is larger than ${limit} bytes.` },
      });
      const endpoints = await fetch(`${app.url}/api/batch-endpoints`, { headers: adminHeaders });
      expect(((await endpoints.json()) as { value: { name: string }[] }).value.map((e) => e.name)).toEqual([
        "roomy",
      ]);
      const jobs = await fetch(`${app.url}/api/jobs`, { headers: adminHeaders });
      expect(await jobs.json()).toMatchObject({ value: [] });
    },
    60_000,
  );
});
