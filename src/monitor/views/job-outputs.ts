import { firstLines } from "../api-client.js";
import { fill, h } from "../dom.js";
import { formatBytes, formatTime } from "../format.js";
import { isErrorsFile, isPredictionsFile } from "../output-files.js";
import { type Job, type OutputFile, outputListSchema } from "../wire.js";
import { errorsTable } from "./job-errors.js";
import { problem, type ViewContext } from "./view.js";

const PREVIEW_LINES = 20;
const TERMINAL = ["Completed", "Failed", "Canceled"];
const ERROR_LINES = 200;

/**
 * The job's output folder: its files with sizes and a download button each, the first lines of
 * the predictions, and the errors table read from errors.jsonl. Loaded when the page opens and
 * again when the job ends (the files are committed then).
 */
export function outputsSection(context: ViewContext): {
  element: HTMLElement;
  errors: HTMLElement;
  load(job: Job): Promise<void>;
  /** While the job runs: how many items failed so far. */
  running(job: Job): void;
} {
  const files = h("div", {}, h("p", { class: "help" }, "Loading…"));
  const preview = h("div", {});
  const errors = h(
    "section",
    { "aria-labelledby": "errors-title" },
    h("h2", { id: "errors-title" }, "Errors"),
    h("p", { class: "help" }, "Loading…"),
  );
  const element = h(
    "section",
    { "aria-labelledby": "outputs-title" },
    h("h2", { id: "outputs-title" }, "Outputs"),
    files,
    preview,
  );
  const path = (job: Job, file?: string) =>
    `jobs/${encodeURIComponent(job.name)}/outputs${file ? `/${file.split("/").map(encodeURIComponent).join("/")}` : ""}`;

  const showErrors = (job: Job, lines: readonly string[]) =>
    fill(
      errors,
      h("h2", { id: "errors-title" }, "Errors"),
      errorsTable({ lines, failed: job.progress?.items.failed ?? 0, ended: TERMINAL.includes(job.status) }),
    );
  return {
    element,
    errors,
    running: (job) => showErrors(job, []),
    async load(job) {
      let listing: OutputFile[];
      try {
        const answer = await context.api.json(path(job), outputListSchema);
        listing = answer.value;
        fill(
          files,
          h("p", { class: "help" }, `In ${answer.output_path}`),
          filesTable(listing, (file) => download(file)),
        );
      } catch (thrown) {
        fill(files, problem(thrown, "the outputs"));
        return;
      }
      const predictions = listing.find((f) => isPredictionsFile(f.name, job.output.file_name) && f.size > 0);
      if (predictions) {
        const lines = await firstLines(await context.api.raw(path(job, predictions.name)), PREVIEW_LINES);
        fill(
          preview,
          h("h3", {}, `First lines of ${predictions.name}`),
          h(
            "pre",
            { class: "preview", tabindex: 0, "aria-label": `First lines of ${predictions.name}` },
            lines.join("\n"),
          ),
        );
      }
      const errorsFile = listing.find((f) => isErrorsFile(f.name) && f.size > 0);
      const lines = errorsFile
        ? await firstLines(await context.api.raw(path(job, errorsFile.name)), ERROR_LINES)
        : [];
      showErrors(job, lines);

      async function download(file: OutputFile): Promise<void> {
        const response = await context.api.raw(path(job, file.name));
        const url = URL.createObjectURL(await response.blob());
        const link = h("a", { href: url, download: file.name.split("/").at(-1) ?? file.name, hidden: true });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
      }
    },
  };
}

function filesTable(
  files: readonly OutputFile[],
  download: (file: OutputFile) => Promise<void>,
): HTMLElement {
  if (files.length === 0)
    return h("p", { class: "notice" }, "No output files yet: they are written when the job ends.");
  return h(
    "table",
    { class: "outputs" },
    h("caption", { class: "visually-hidden" }, "Output files"),
    h("thead", {}, h("tr", {}, ...["File", "Size", "Modified", ""].map((t) => h("th", { scope: "col" }, t)))),
    h(
      "tbody",
      {},
      ...files.map((file) =>
        h(
          "tr",
          {},
          h("td", {}, file.name),
          h("td", { class: "num" }, formatBytes(file.size)),
          h("td", {}, formatTime(file.last_modified)),
          h(
            "td",
            {},
            h(
              "button",
              {
                type: "button",
                "aria-label": `Download ${file.name}`,
                onclick: (event: Event) => {
                  const button = event.currentTarget as HTMLButtonElement;
                  button.disabled = true;
                  download(file)
                    .catch((thrown: unknown) => button.after(problem(thrown, file.name)))
                    .finally(() => {
                      button.disabled = false;
                    });
                },
              },
              "Download",
            ),
          ),
        ),
      ),
    ),
  );
}
