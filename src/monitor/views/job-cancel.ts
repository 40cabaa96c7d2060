import { fill, h } from "../dom.js";
import { jobSchema } from "../wire.js";
import { problem, type ViewContext } from "./view.js";

/**
 * The Cancel button, with a confirmation step: `POST jobs/{job}/cancel`. No new mini-batch starts
 * after it; the parts scored are kept and the job ends `Canceled` (docs/rest.md).
 */
export function cancelControl(
  context: ViewContext,
  job: string,
): { element: HTMLElement; update(status: string): void } {
  const element = h("div", { class: "cancel" });
  let state: "idle" | "confirming" | "sending" = "idle";
  let status = "";

  const render = () => {
    if (["Completed", "Failed", "Canceled"].includes(status)) return fill(element);
    if (status === "CancelRequested") {
      return fill(element, h("button", { type: "button", disabled: true }, "Cancel requested"));
    }
    if (state === "confirming") {
      const yes = h("button", { type: "button", class: "danger", onclick: send }, "Yes, cancel the job");
      queueMicrotask(() => yes.focus());
      return fill(
        element,
        h("span", { role: "alert" }, "Stop this job? Mini-batches already scored are kept. "),
        yes,
        h(
          "button",
          {
            type: "button",
            onclick: () => {
              state = "idle";
              render();
            },
          },
          "Keep running",
        ),
      );
    }
    fill(
      element,
      h(
        "button",
        {
          type: "button",
          class: "danger",
          disabled: state === "sending",
          onclick: () => {
            state = "confirming";
            render();
          },
        },
        "Cancel job",
      ),
    );
  };

  async function send(): Promise<void> {
    state = "sending";
    render();
    try {
      const answer = await context.api.post(`jobs/${encodeURIComponent(job)}/cancel`, jobSchema);
      status = answer.status;
      state = "idle";
      render();
    } catch (thrown) {
      state = "idle";
      render();
      element.append(problem(thrown, "the cancel"));
    }
  }

  return {
    element,
    update(next) {
      if (next === status) return;
      status = next;
      render();
    },
  };
}
