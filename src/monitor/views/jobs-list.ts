import { fill, h } from "../dom.js";
import { formatCounts, formatTime } from "../format.js";
import { type Route, routeHash } from "../routes.js";
import { endpointListSchema, type Job, jobListSchema, jobSchema } from "../wire.js";
import { poll, problem, statusBadge, type View, type ViewContext } from "./view.js";

export const PAGE_SIZE = 20;
const STATUSES = [
  "NotStarted",
  "Preparing",
  "Running",
  "Finalizing",
  "Completed",
  "Failed",
  "CancelRequested",
  "Canceled",
];

/** The jobs, newest first, filtered by status and endpoint, a page at a time; refreshed every 5 s. */
export function jobsListView(context: ViewContext, route: Extract<Route, { view: "jobs" }>): View {
  const go = (change: Partial<typeof route>) => {
    window.location.hash = routeHash({ ...route, page: 1, ...change });
  };
  const status = h(
    "select",
    { id: "filter-status", onchange: () => go({ status: status.value || undefined }) },
    h("option", { value: "" }, "Any status"),
    ...STATUSES.map((s) => h("option", { value: s, selected: s === route.status }, s)),
  );
  const endpoints = h("datalist", { id: "endpoint-names" });
  const endpoint = h("input", {
    id: "filter-endpoint",
    list: "endpoint-names",
    value: route.endpoint ?? "",
    placeholder: "any endpoint",
    onchange: () => go({ endpoint: endpoint.value.trim() || undefined }),
  });
  const body = h("div", { class: "jobs-body", "aria-live": "polite" });
  const element = h(
    "section",
    { "aria-labelledby": "jobs-title" },
    h("h1", { id: "jobs-title" }, "Jobs"),
    h(
      "div",
      { class: "filters" },
      h("label", { for: "filter-status" }, "Status"),
      status,
      h("label", { for: "filter-endpoint" }, "Endpoint"),
      endpoint,
      endpoints,
    ),
    body,
  );

  const controller = new AbortController();
  context.api
    .json("batch-endpoints", endpointListSchema, { signal: controller.signal, keepSignedIn: true })
    .then((list) => fill(endpoints, ...list.value.map((e) => h("option", { value: e.name }))))
    .catch(() => undefined);

  const query = new URLSearchParams({ top: String(PAGE_SIZE), skip: String((route.page - 1) * PAGE_SIZE) });
  if (route.status) query.set("status", route.status);
  if (route.endpoint) query.set("endpoint", route.endpoint);
  const refresher = poll(5000, async () => {
    try {
      const list = await context.api.json(`jobs?${query}`, jobListSchema, {
        signal: controller.signal,
        keepSignedIn: !route.endpoint,
      });
      const jobs = await Promise.all(list.value.map((job) => live(context, job, controller.signal)));
      fill(body, jobsTable(jobs), pager(route, Boolean(list.nextLink)));
      return true;
    } catch (thrown) {
      if (controller.signal.aborted) return false;
      fill(
        body,
        problem(thrown, route.endpoint ? `the jobs of '${route.endpoint}'` : "every endpoint's jobs"),
        route.endpoint
          ? null
          : h(
              "p",
              { class: "help" },
              "An endpoint key reads its endpoint's jobs: type its name in Endpoint.",
            ),
      );
      return false;
    }
  });
  return {
    element,
    dispose() {
      refresher.stop();
      controller.abort();
    },
  };
}

/** A running job's live progress (lists show what the job record holds: counts once it ended). */
async function live(context: ViewContext, job: Job, signal: AbortSignal): Promise<Job> {
  if (["Completed", "Failed", "Canceled"].includes(job.status)) return job;
  return context.api.json(`jobs/${encodeURIComponent(job.name)}`, jobSchema, { signal }).catch(() => job);
}

function jobsTable(jobs: readonly Job[]): HTMLElement {
  if (jobs.length === 0) return h("p", { class: "notice" }, "No jobs match.");
  const tagged = jobs.some((job) => job.display_name || Object.keys(job.tags ?? {}).length > 0);
  const head = ["Job", "Status", "Endpoint", "Deployment", ...(tagged ? ["Display name", "Tags"] : [])];
  return h(
    "table",
    { class: "jobs" },
    h("caption", { class: "visually-hidden" }, "Jobs, newest first"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...[...head, "Started", "Finished", "Mini-batches", "Items"].map((t) => h("th", { scope: "col" }, t)),
      ),
    ),
    h(
      "tbody",
      {},
      ...jobs.map((job) => {
        const p = job.progress;
        const mb = p?.mini_batches;
        const items = p?.items;
        return h(
          "tr",
          {},
          h("td", {}, h("a", { href: routeHash({ view: "job", name: job.name }) }, job.name)),
          h("td", {}, statusBadge(job.status)),
          h("td", {}, job.endpoint),
          h("td", {}, job.deployment),
          tagged ? h("td", {}, job.display_name ?? "") : null,
          tagged ? h("td", {}, tagsText(job.tags)) : null,
          h("td", {}, formatTime(job.started_at)),
          h("td", {}, formatTime(job.finished_at)),
          h("td", { class: "num" }, mb ? formatCounts(mb.succeeded + mb.failed, mb.total, mb.failed) : "—"),
          h(
            "td",
            { class: "num" },
            items ? formatCounts(items.succeeded + items.failed, items.total, items.failed) : "—",
          ),
        );
      }),
    ),
  );
}

function tagsText(tags: Record<string, string> | null | undefined): string {
  return Object.entries(tags ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(", ");
}

function pager(route: Extract<Route, { view: "jobs" }>, more: boolean): HTMLElement {
  const link = (page: number, text: string, enabled: boolean) =>
    enabled
      ? h("a", { href: routeHash({ ...route, page }), class: "button" }, text)
      : h("span", { class: "button disabled", "aria-disabled": "true" }, text);
  return h(
    "nav",
    { class: "pager", "aria-label": "Pages" },
    link(route.page - 1, "← Newer", route.page > 1),
    h("span", {}, `Page ${route.page}`),
    link(route.page + 1, "Older →", more),
  );
}
