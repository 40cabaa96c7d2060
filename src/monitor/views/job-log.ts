import { h } from "../dom.js";
import { type LogLine, logLineSchema } from "../wire.js";
import { poll, problem, type ViewContext } from "./view.js";

/** Lines kept on the page; older ones are dropped (the whole log stays at `.../logs`). */
const MAX_LINES = 2000;

/**
 * The job's log, following it: reads `GET jobs/{job}/logs?from=<offset>` every second from where
 * the last read ended (`x-next-offset`) until the job has ended and nothing new came. Scrolls along
 * while the reader is at the bottom.
 */
export function logSection(
  context: ViewContext,
  job: string,
  hasEnded: () => boolean,
): { element: HTMLElement; dispose(): void } {
  const list = h("ol", { class: "log-lines" });
  const box = h("div", { class: "log", tabindex: 0, role: "region", "aria-label": "Job log" }, list);
  const note = h("p", { class: "help" }, "Following the log…");
  const element = h(
    "section",
    { "aria-labelledby": "log-title" },
    h("h2", { id: "log-title" }, "Log"),
    note,
    box,
  );
  let offset = 0;
  const controller = new AbortController();
  const follower = poll(1000, async () => {
    const ended = hasEnded();
    try {
      const response = await context.api.raw(`jobs/${encodeURIComponent(job)}/logs?from=${offset}`, {
        signal: controller.signal,
      });
      const next = Number(response.headers.get("x-next-offset") ?? offset);
      const lines = (await response.text()).split("\n").filter((line) => line.trim() !== "");
      append(lines.map(readLine));
      const moved = next !== offset;
      offset = next;
      if (ended && !moved) {
        note.textContent = list.childElementCount === 0 ? "The log is empty." : "The job has ended.";
        return false;
      }
      return true;
    } catch (thrown) {
      if (controller.signal.aborted) return false;
      note.replaceWith(problem(thrown, "the log"));
      return false;
    }
  });

  function append(lines: LogLine[]): void {
    if (lines.length === 0) return;
    const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 8;
    list.append(...lines.map(lineItem));
    while (list.childElementCount > MAX_LINES) list.firstElementChild?.remove();
    if (atBottom) box.scrollTop = box.scrollHeight;
  }

  return {
    element,
    dispose() {
      follower.stop();
      controller.abort();
    },
  };
}

function readLine(text: string): LogLine {
  try {
    const parsed = logLineSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // not JSON: shown as it is
  }
  return { time: "", level: "info", source: "", message: text };
}

function lineItem(line: LogLine): HTMLElement {
  const where =
    line.miniBatch === undefined
      ? ""
      : `mini-batch ${line.miniBatch}${line.attempt === undefined ? "" : ` #${line.attempt}`}`;
  return h(
    "li",
    { class: `log-line level-${line.level}` },
    h("time", { datetime: line.time }, line.time.slice(11, 19)),
    h("span", { class: "level" }, line.level),
    h("span", { class: "source" }, line.source),
    h("span", { class: "where" }, where),
    h("span", { class: "message" }, line.message),
  );
}
