/**
 * Cuts a byte stream into text lines. Each chunk is scanned once, so a long line (a large answer)
 * costs linear time. With `maxLine`, a line longer than that is handed over in pieces of
 * `maxLine` characters, so output without newlines cannot grow a buffer without bound.
 */
export class LineSplitter {
  private pieces: string[] = [];
  private pending = 0;
  private readonly decoder = new TextDecoder("utf-8");

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLine = Number.POSITIVE_INFINITY,
  ) {}

  push(chunk: Buffer): void {
    const text = this.decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
      this.append(text.slice(start, end));
      this.flush();
      start = end + 1;
    }
    if (start < text.length) this.append(text.slice(start));
  }

  /** Hands over what is left (a last line without a newline). */
  end(): void {
    const tail = this.decoder.decode();
    if (tail !== "") this.pieces.push(tail);
    if (this.pieces.some((piece) => piece !== "")) this.flush();
    this.pieces = [];
    this.pending = 0;
  }

  private append(piece: string): void {
    this.pieces.push(piece);
    this.pending += piece.length;
    while (this.pending > this.maxLine) {
      const joined = this.pieces.join("");
      this.onLine(joined.slice(0, this.maxLine));
      const rest = joined.slice(this.maxLine);
      this.pieces = [rest];
      this.pending = rest.length;
    }
  }

  private flush(): void {
    const line = this.pieces.join("");
    this.pieces = [];
    this.pending = 0;
    this.onLine(line);
  }
}
