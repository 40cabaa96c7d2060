/** How progress is shown on stderr: redrawn in place (a terminal), as plain lines (logs, CI), or not at all. */
export type StatusMode = "tty" | "lines" | "off";

/** The stream progress goes to: stderr, or a test's buffer. */
export interface StatusStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** One line of progress on stderr that other output can interrupt. */
export interface StatusLine {
  readonly mode: StatusMode;
  /** Shows `text`: redrawn in place on a terminal, printed as a line otherwise when it changed. */
  show(text: string): void;
  /** Runs `print` (which writes other output) with the line cleared, then draws it again. */
  around(print: () => void): void;
  /** Leaves the last text on its own line (a terminal) so later output starts below it. */
  end(): void;
}

/**
 * The status mode for a stream: `BATCHFN_PROGRESS=off` (or `--only-show-errors`) hides progress,
 * a terminal redraws it in place, anything else gets plain lines.
 */
export function statusMode(stream: StatusStream, setting: string | undefined, quiet: boolean): StatusMode {
  if (quiet || setting === "off") return "off";
  if (setting === "lines") return "lines";
  return stream.isTTY ? "tty" : "lines";
}

/** Builds a status line over `stream`. */
export function createStatusLine(stream: StatusStream, mode: StatusMode): StatusLine {
  let last = "";
  let drawn = false;
  const fitted = (text: string) => {
    const width = (stream.columns ?? 120) - 1;
    return text.length > width ? `${text.slice(0, width - 1)}…` : text;
  };
  const draw = () => {
    stream.write(`\r\x1b[K${fitted(last)}`);
    drawn = true;
  };
  const clear = () => {
    if (drawn) stream.write("\r\x1b[K");
    drawn = false;
  };
  return {
    mode,
    show(text) {
      if (mode === "off" || text === last) return;
      last = text;
      if (mode === "lines") stream.write(`${text}\n`);
      else draw();
    },
    around(print) {
      if (mode !== "tty") return print();
      clear();
      print();
      if (last !== "") draw();
    },
    end() {
      if (mode === "tty" && drawn) stream.write("\n");
      drawn = false;
      last = "";
    },
  };
}
