const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;
const SPACE = 32;
const TAB = 9;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_SEEN = 3;

/**
 * Finds where records end in the bytes of a CSV or JSON lines file, chunk by chunk, without decoding
 * text: the same records the parsers see (a quoted line break does not end a CSV record; blank lines
 * are no records). Used to count rows and to cut row ranges out of large files.
 */
export class RecordScanner {
  private state = FIELD_START;
  private hasContent = false;
  private crPending = false;
  private bomChecked = false;

  constructor(private readonly format: "csv" | "jsonl") {}

  /**
   * Scans one chunk. `onRecordEnd` receives the index in this chunk just past each record's line
   * break (a CRLF counts whole); returning false stops the scan.
   */
  scan(chunk: Uint8Array, onRecordEnd: (end: number) => boolean): void {
    let i = 0;
    if (!this.bomChecked && chunk.length > 0) {
      this.bomChecked = true;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    }
    if (this.crPending && chunk.length > 0) {
      this.crPending = false;
      const end = chunk[0] === LF ? 1 : 0;
      if (!onRecordEnd(end)) return;
      i = Math.max(i, end);
    }
    if (this.format === "jsonl") this.scanLines(chunk, i, onRecordEnd);
    else this.scanCsv(chunk, i, onRecordEnd);
  }

  /** Whether bytes after the last record end hold one more record (a last line without a line break). */
  get pendingRecord(): boolean {
    return this.hasContent || this.crPending;
  }

  private scanLines(chunk: Uint8Array, from: number, onRecordEnd: (end: number) => boolean): void {
    for (let i = from; i < chunk.length; i++) {
      const c = chunk[i];
      if (c === LF) {
        if (this.hasContent) {
          this.hasContent = false;
          if (!onRecordEnd(i + 1)) return;
        }
      } else if (c !== SPACE && c !== TAB && c !== CR) {
        this.hasContent = true;
      }
    }
  }

  private scanCsv(chunk: Uint8Array, from: number, onRecordEnd: (end: number) => boolean): void {
    let state = this.state;
    const n = chunk.length;
    for (let i = from; i < n; i++) {
      const c = chunk[i];
      if (state === QUOTED) {
        if (c === QUOTE) state = QUOTE_SEEN;
        continue;
      }
      if (c === LF || c === CR) {
        state = FIELD_START;
        if (!this.hasContent) continue;
        this.hasContent = false;
        if (c === CR) {
          if (i + 1 >= n) {
            this.state = state;
            this.crPending = true;
            return;
          }
          if (chunk[i + 1] === LF) i++;
        }
        if (!onRecordEnd(i + 1)) {
          this.state = state;
          return;
        }
        continue;
      }
      this.hasContent = true;
      if (c === COMMA) state = FIELD_START;
      else if (state === FIELD_START) state = c === QUOTE ? QUOTED : UNQUOTED;
      else if (state === QUOTE_SEEN) state = c === QUOTE ? QUOTED : UNQUOTED;
    }
    this.state = state;
  }
}
