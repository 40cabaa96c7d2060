/**
 * Whether an `engines.node` range admits a Node major version: each `||` alternative is `^N...`,
 * `N.x`/`N` (that major) or `>=N...` (that major and later). Anything else is an error, so a range
 * this reader cannot judge never passes silently.
 */
export function enginesAdmit(range: string, major: number): boolean {
  return range.split("||").some((alternative) => {
    const text = alternative.trim();
    const caret = /^\^?(\d+)(\.\d+|\.x)*$/.exec(text);
    if (caret) return Number(caret[1]) === major;
    const atLeast = /^>=\s*(\d+)(\.\d+)*$/.exec(text);
    if (atLeast) return major >= Number(atLeast[1]);
    throw new Error(`engines.node alternative '${text}' is not one this check reads (^N, N.x, >=N)`);
  });
}
