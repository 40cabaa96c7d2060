/** A panel's place in the chart. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A panel's bold title line. */
export function title(box: Box, text: string): string {
  return `<text x="${box.x + 10}" y="${box.y + 12}" font-weight="bold">${xmlText(text)}</text>`;
}

/** Text made safe for an SVG text node. */
export function xmlText(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
