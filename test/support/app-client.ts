import { setTimeout as sleep } from "node:timers/promises";

/** A JSON answer of the app. */
export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** The host admin key of the apps tests start (`appSettings()` sets it as BATCHFN_ADMIN_KEY). */
export const TEST_ADMIN_KEY = "test-admin-key-0123456789abcdef";

/** The header that makes a request an admin's. */
export const adminHeaders: Readonly<Record<string, string>> = { "x-functions-key": TEST_ADMIN_KEY };

/**
 * Calls the app's API with a JSON body and reads a JSON answer. Sends the admin key unless
 * `admin: false` (then only `headers` authenticate the call).
 */
export async function call<T = Record<string, unknown>>(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; admin?: boolean } = {},
): Promise<Answer<T>> {
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: {
      "content-type": "application/json",
      ...(init.admin === false ? {} : adminHeaders),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
}

/** Polls a job until it ends (Completed, Failed or Canceled) and returns its last view. */
export async function waitForJob(jobUrl: string, timeoutMs = 90_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await call(jobUrl);
    if (["Completed", "Failed", "Canceled"].includes(String(body.status))) return body;
    if (Date.now() > deadline) throw new Error(`job did not end in time: ${JSON.stringify(body)}`);
    await sleep(200);
  }
}
