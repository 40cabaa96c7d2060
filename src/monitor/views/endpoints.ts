import { fill, h } from "../dom.js";
import { routeHash } from "../routes.js";
import { type Deployment, deploymentListSchema, type Endpoint, endpointListSchema } from "../wire.js";
import { problem, type View, type ViewContext } from "./view.js";

/** The endpoints and their deployments: default marked, model, runtime and settings. */
export function endpointsView(context: ViewContext): View {
  const body = h("div", {}, h("p", { class: "help" }, "Loading…"));
  const element = h(
    "section",
    { "aria-labelledby": "endpoints-title" },
    h("h1", { id: "endpoints-title" }, "Endpoints"),
    body,
  );
  const controller = new AbortController();
  void (async () => {
    try {
      const endpoints = (
        await context.api.json("batch-endpoints", endpointListSchema, {
          signal: controller.signal,
          keepSignedIn: true,
        })
      ).value;
      if (endpoints.length === 0) return fill(body, h("p", { class: "notice" }, "No endpoints yet."));
      const sections = await Promise.all(
        endpoints.map(async (endpoint) => {
          const deployments = await context.api
            .json(`batch-endpoints/${encodeURIComponent(endpoint.name)}/deployments`, deploymentListSchema, {
              signal: controller.signal,
            })
            .then((list) => list.value);
          return endpointSection(endpoint, deployments);
        }),
      );
      fill(body, ...sections);
    } catch (thrown) {
      if (!controller.signal.aborted) fill(body, problem(thrown, "the endpoints (an admin credential can)"));
    }
  })();
  return { element, dispose: () => controller.abort() };
}

function endpointSection(endpoint: Endpoint, deployments: readonly Deployment[]): HTMLElement {
  const fallback = endpoint.defaults?.deployment_name;
  const id = `endpoint-${endpoint.name}`;
  return h(
    "section",
    { class: "endpoint", "aria-labelledby": id },
    h("h2", { id }, endpoint.name),
    endpoint.description ? h("p", {}, endpoint.description) : null,
    h(
      "p",
      { class: "help" },
      `Auth: ${endpoint.auth_mode} · default deployment: ${fallback ?? "none"} · `,
      h("a", { href: routeHash({ view: "jobs", endpoint: endpoint.name, page: 1 }) }, "its jobs"),
    ),
    deployments.length === 0
      ? h("p", { class: "notice" }, "No deployments.")
      : h(
          "table",
          { class: "deployments" },
          h("caption", { class: "visually-hidden" }, `Deployments of ${endpoint.name}`),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ...["Deployment", "Model", "Runtime", "Instances", "Settings"].map((t) =>
                h("th", { scope: "col" }, t),
              ),
            ),
          ),
          h(
            "tbody",
            {},
            ...deployments.map((d) =>
              h(
                "tr",
                {},
                h("td", {}, d.name, d.name === fallback ? h("span", { class: "badge" }, "default") : null),
                h("td", {}, `${d.model.name}:${d.model.version}`),
                h(
                  "td",
                  {},
                  d.code_configuration ? `script ${d.code_configuration.scoring_script}` : "no-code (model)",
                ),
                h("td", { class: "num" }, String(d.resources?.instance_count ?? 1)),
                h("td", { class: "settings-cell" }, settingsText(d.settings)),
              ),
            ),
          ),
        ),
  );
}

function settingsText(settings: Record<string, unknown>): string {
  return Object.entries(settings)
    .map(([key, value]) => `${key}: ${typeof value === "object" ? JSON.stringify(value) : String(value)}`)
    .join(" · ");
}
