import { fill, h } from "../dom.js";
import { formatTime } from "../format.js";
import { routeHash } from "../routes.js";
import { type Job, jobSchema } from "../wire.js";
import { cancelControl } from "./job-cancel.js";
import { logSection } from "./job-log.js";
import { outputsSection } from "./job-outputs.js";
import { progressSection } from "./job-progress.js";
import { poll, problem, statusBadge, type View, type ViewContext } from "./view.js";

const TERMINAL = ["Completed", "Failed", "Canceled"];

/**
 * One job: status and why it failed, Cancel, live progress with rate and time left, the chart, the
 * errors, the log following live, the outputs with downloads and a preview, and the settings it ran
 * with. Polls `GET jobs/{job}` every second until the job ends.
 */
export function jobPageView(context: ViewContext, name: string): View {
  let current: Job | undefined;
  const ended = () => current !== undefined && TERMINAL.includes(current.status);
  const title = h("h1", {}, name);
  const status = h("p", { class: "job-status", role: "status" });
  const reason = h("div", {});
  const facts = h("dl", { class: "facts" });
  const settings = h("section", { "aria-labelledby": "settings-title" });
  const progress = progressSection();
  const outputs = outputsSection(context);
  const log = logSection(context, name, ended);
  const cancel = cancelControl(context, name);
  const body = h(
    "div",
    { class: "job-body", hidden: true },
    h("div", { class: "job-head" }, h("div", {}, status, reason), cancel.element),
    facts,
    progress.element,
    outputs.errors,
    log.element,
    outputs.element,
    settings,
  );
  const element = h(
    "article",
    { class: "job" },
    h("p", { class: "crumbs" }, h("a", { href: routeHash({ view: "jobs", page: 1 }) }, "Jobs"), " / "),
    title,
    body,
  );

  const watch = () =>
    poll(1000, async () => {
      try {
        const next = await context.api.json(`jobs/${encodeURIComponent(name)}`, jobSchema);
        const first = current === undefined;
        const justEnded = !first && !ended() && TERMINAL.includes(next.status);
        current = next;
        render(next, first);
        if (first || justEnded) await outputs.load(next);
        else if (!TERMINAL.includes(next.status)) outputs.running(next);
        return !TERMINAL.includes(next.status);
      } catch (thrown) {
        fill(status, problem(thrown, `job '${name}'`));
        body.hidden = false;
        return false;
      }
    });
  const watcher = watch();

  function render(next: Job, first: boolean): void {
    body.hidden = false;
    fill(status, "Status ", statusBadge(next.status));
    fill(reason, reasonText(next));
    cancel.update(next.status);
    progress.update(next);
    fill(
      facts,
      ...fact("Endpoint", next.endpoint),
      ...fact("Deployment", next.deployment),
      ...(next.model ? fact("Model", `${next.model.name}:${next.model.version}`) : []),
      ...(next.display_name ? fact("Display name", next.display_name) : []),
      ...(Object.keys(next.tags ?? {}).length > 0
        ? fact(
            "Tags",
            Object.entries(next.tags ?? {})
              .map(([k, v]) => `${k}=${v}`)
              .join(", "),
          )
        : []),
      ...fact("Input", next.input),
      ...fact("Output", next.output.path),
      ...fact("Created", formatTime(next.created_at)),
      ...fact("Started", formatTime(next.started_at)),
      ...fact("Finished", formatTime(next.finished_at)),
    );
    if (first) fill(settings, h("h2", { id: "settings-title" }, "Settings"), settingsList(next.settings));
  }

  return {
    element,
    dispose() {
      watcher.stop();
      log.dispose();
    },
  };
}

/** Why a job ended the way it did, in words, at the top of its page. */
function reasonText(job: Job): HTMLElement | null {
  const failedItems = job.progress?.items.failed ?? 0;
  if (job.status === "Failed") {
    return h(
      "div",
      { class: "banner error", role: "alert" },
      h("strong", {}, "This job failed. "),
      job.message ?? "It stopped before it could say why; the log below has the details.",
      failedItems > 0 ? ` ${failedItems} item${failedItems === 1 ? "" : "s"} failed: see Errors below.` : "",
    );
  }
  if (job.status === "Canceled") {
    return h("div", { class: "banner" }, h("strong", {}, "This job was canceled. "), job.message ?? "");
  }
  if (job.status === "Completed" && failedItems > 0) {
    return h(
      "div",
      { class: "banner warning" },
      `Completed, but ${failedItems} item${failedItems === 1 ? "" : "s"} failed: see Errors below.`,
    );
  }
  return null;
}

function fact(term: string, value: string): HTMLElement[] {
  return [h("dt", {}, term), h("dd", {}, value)];
}

function settingsList(settings: Record<string, unknown> | undefined): HTMLElement {
  if (!settings) return h("p", { class: "help" }, "Not recorded for this job.");
  const rows = Object.entries(flatten(settings));
  return h("dl", { class: "facts settings" }, ...rows.flatMap(([key, value]) => fact(key, value)));
}

function flatten(value: Record<string, unknown>, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (inner && typeof inner === "object" && !Array.isArray(inner)) {
      Object.assign(out, flatten(inner as Record<string, unknown>, `${prefix}${key}.`));
    } else {
      out[`${prefix}${key}`] = typeof inner === "string" ? inner : JSON.stringify(inner);
    }
  }
  return out;
}
