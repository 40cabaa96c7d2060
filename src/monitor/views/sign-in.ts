import { credentialStore } from "../credential-store.js";
import { h } from "../dom.js";
import type { View } from "./view.js";

/**
 * The only thing shown without a credential: a form for the local admin key, an endpoint key or an
 * Entra ID token. It is kept in this tab's session storage and sent with each API request.
 */
export function signInView(options: { refused?: string; onSignedIn: () => void }): View {
  const input = h("input", {
    id: "credential",
    name: "credential",
    type: "password",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
    "aria-describedby": "credential-help",
  });
  const form = h(
    "form",
    {
      class: "sign-in",
      "aria-labelledby": "sign-in-title",
      onsubmit: (event: Event) => {
        event.preventDefault();
        const value = input.value.trim();
        if (!value) return;
        credentialStore.set(value);
        options.onSignedIn();
      },
    },
    h("h1", { id: "sign-in-title" }, "Sign in"),
    options.refused ? h("p", { class: "notice error", role: "alert" }, `Refused: ${options.refused}`) : null,
    h("label", { for: "credential" }, "Key or token"),
    input,
    h(
      "p",
      { id: "credential-help", class: "help" },
      "The host admin key (`npm start` prints it), an endpoint key, or an Entra ID access token. " +
        "It stays in this browser tab only and is sent with each request, as the REST API expects.",
    ),
    h("button", { type: "submit" }, "Sign in"),
  );
  queueMicrotask(() => input.focus());
  return { element: form, dispose: () => undefined };
}
