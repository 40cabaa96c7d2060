import { createApi } from "./api-client.js";
import { credentialStore } from "./credential-store.js";
import { fill, h } from "./dom.js";
import { parseRoute } from "./routes.js";
import { endpointsView } from "./views/endpoints.js";
import { jobPageView } from "./views/job-page.js";
import { jobsListView } from "./views/jobs-list.js";
import { signInView } from "./views/sign-in.js";
import type { View } from "./views/view.js";

/**
 * The job monitor: a page of the app itself (`/api/monitor/`). Without a credential it shows the
 * sign-in form and makes no request for data; with one, the place the URL fragment names.
 */
const app = document.getElementById("app") ?? document.body;
const session = document.getElementById("session") ?? document.body;
let current: View | undefined;
let refused: string | undefined;

const api = createApi(
  () => credentialStore.get(),
  (message) => {
    credentialStore.clear();
    refused = message;
    show();
  },
);

function show(): void {
  current?.dispose();
  const signedIn = credentialStore.get() !== undefined;
  fill(
    session,
    signedIn
      ? h(
          "button",
          {
            type: "button",
            onclick: () => {
              credentialStore.clear();
              show();
            },
          },
          "Sign out",
        )
      : null,
  );
  if (!signedIn) {
    current = signInView({
      refused,
      onSignedIn: () => {
        refused = undefined;
        show();
      },
    });
  } else {
    const route = parseRoute(window.location.hash);
    const context = { api };
    current =
      route.view === "job"
        ? jobPageView(context, route.name)
        : route.view === "endpoints"
          ? endpointsView(context)
          : jobsListView(context, route);
    document.title = route.view === "job" ? `${route.name} · batchfn` : "batchfn job monitor";
  }
  fill(app, current.element);
}

window.addEventListener("hashchange", show);
show();
