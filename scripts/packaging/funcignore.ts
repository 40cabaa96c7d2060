/**
 * The rules of a `.funcignore` file (gitignore syntax, the subset Core Tools and this project use):
 * `#` comments, `!` negation, `*`, `?` and `**` wildcards, a trailing `/` for folders only, and a
 * `/` elsewhere in the pattern anchoring it to the root (otherwise it matches a name at any depth).
 * A path is ignored when it, or a folder above it, is ignored.
 */
export interface IgnoreRules {
  /** True when `path` (relative, `/`-separated) is left out; `isFolder` for folders. */
  ignores(path: string, isFolder?: boolean): boolean;
}

interface Rule {
  negate: boolean;
  foldersOnly: boolean;
  regex: RegExp;
}

/** Parses the text of a `.funcignore` file. */
export function parseIgnoreRules(text: string): IgnoreRules {
  const rules = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map(toRule);
  const matches = (path: string, isFolder: boolean): boolean => {
    let ignored = false;
    for (const rule of rules) {
      if (rule.foldersOnly && !isFolder) continue;
      if (rule.regex.test(path)) ignored = !rule.negate;
    }
    return ignored;
  };
  return {
    ignores(path, isFolder = false) {
      const parts = path.split("/").filter(Boolean);
      for (let depth = 1; depth <= parts.length; depth += 1) {
        const isLast = depth === parts.length;
        if (matches(parts.slice(0, depth).join("/"), isLast ? isFolder : true)) return true;
      }
      return false;
    },
  };
}

function toRule(line: string): Rule {
  const negate = line.startsWith("!");
  let pattern = negate ? line.slice(1) : line;
  const foldersOnly = pattern.endsWith("/");
  if (foldersOnly) pattern = pattern.slice(0, -1);
  const anchored = pattern.includes("/");
  if (pattern.startsWith("/")) pattern = pattern.slice(1);
  const body = pattern
    .split("**")
    .map((piece) =>
      piece
        .split("")
        .map((char) => {
          if (char === "*") return "[^/]*";
          if (char === "?") return "[^/]";
          return char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
        })
        .join(""),
    )
    .join(".*");
  return { negate, foldersOnly, regex: new RegExp(`^${anchored ? "" : "(?:.*/)?"}${body}$`) };
}
