/**
 * The page's places, in the URL's fragment so the server serves one static page:
 * `#/jobs?status=Failed&endpoint=e&page=2`, `#/jobs/<name>`, `#/endpoints`.
 */
export type Route =
  | { view: "jobs"; status?: string; endpoint?: string; page: number }
  | { view: "job"; name: string }
  | { view: "endpoints" };

/** The route of a fragment (`location.hash`); anything unknown is the jobs list. */
export function parseRoute(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#/, "").split("?", 2);
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "jobs" && parts[1]) return { view: "job", name: parts[1] };
  if (parts[0] === "endpoints") return { view: "endpoints" };
  const params = new URLSearchParams(query);
  const page = Number(params.get("page") ?? "1");
  return {
    view: "jobs",
    status: params.get("status") || undefined,
    endpoint: params.get("endpoint") || undefined,
    page: Number.isInteger(page) && page >= 1 ? page : 1,
  };
}

/** The fragment of a route. */
export function routeHash(route: Route): string {
  if (route.view === "job") return `#/jobs/${encodeURIComponent(route.name)}`;
  if (route.view === "endpoints") return "#/endpoints";
  const params = new URLSearchParams();
  if (route.status) params.set("status", route.status);
  if (route.endpoint) params.set("endpoint", route.endpoint);
  if (route.page > 1) params.set("page", String(route.page));
  const query = params.toString();
  return query ? `#/jobs?${query}` : "#/jobs";
}
