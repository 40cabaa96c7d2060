import type { Api } from "../api-client.js";
import { ApiError } from "../api-client.js";
import { h } from "../dom.js";

/** One screen of the page: its element, and what stops its timers and requests when it is left. */
export interface View {
  element: HTMLElement;
  dispose(): void;
}

export interface ViewContext {
  api: Api;
}

/** Runs `tick` now and then every `ms` until disposed; a tick returning false stops it. */
export function poll(ms: number, tick: () => Promise<boolean | undefined>): { stop(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const run = async () => {
    const again = await tick().catch(() => true);
    if (!stopped && again !== false) timer = setTimeout(run, ms);
  };
  void run();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** A failed request, in words, for the place its data would have gone. */
export function problem(thrown: unknown, what: string): HTMLElement {
  if (thrown instanceof ApiError && (thrown.status === 403 || thrown.status === 401)) {
    return h("p", { class: "notice" }, `This credential may not see ${what}. ${thrown.message}`);
  }
  if (thrown instanceof ApiError) {
    return h("p", { class: "notice error" }, `Could not load ${what}: ${thrown.code}: ${thrown.message}`);
  }
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return h("p", { class: "notice error" }, `Could not load ${what}: ${message}`);
}

/** A status as a badge; the word is the information, the colour only repeats it. */
export function statusBadge(status: string): HTMLElement {
  return h("span", { class: `status status-${status.toLowerCase()}` }, status);
}
