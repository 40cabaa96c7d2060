import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { z } from "zod";

/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): the functions with the most self time,
 * and the files with the most self time. Usage:
 *   node --import tsx bench/tools/profile-summary.ts <file.cpuprofile> [top=30]
 */
const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  startTime: z.number(),
  endTime: z.number(),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

async function main(): Promise<void> {
  const [file, topText, callers] = process.argv.slice(2);
  if (!file) throw new Error("usage: profile-summary.ts <file.cpuprofile> [top] [callers-regex]");
  const top = Number(topText ?? 30);
  const profile = profileSchema.parse(JSON.parse(await readFile(file, "utf8")));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = profile.endTime - profile.startTime;
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const where = shortUrl(frame.url);
    const fn = `${frame.functionName || "(anonymous)"} ${where}:${frame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    const key = where || frame.functionName;
    byFile.set(key, (byFile.get(key) ?? 0) + us);
  }
  console.log(`profile ${file}: ${(total / 1e6).toFixed(2)} s`);
  print("self time by function", byFunction, total, top);
  print("self time by file", byFile, total, top);
  if (callers)
    print(`callers of /${callers}/ (inclusive time)`, callerChains(byId, selfUs, callers), total, top);
}

type ProfileNode = z.infer<typeof profileSchema>["nodes"][number];

/** Inclusive time of every node matching `pattern` (outermost match only), by its chain of callers. */
function callerChains(byId: Map<number, ProfileNode>, selfUs: Map<number, number>, pattern: string) {
  const parent = new Map<number, number>();
  for (const node of byId.values()) for (const child of node.children ?? []) parent.set(child, node.id);
  const label = (id: number) => {
    const frame = byId.get(id)?.callFrame;
    return frame
      ? `${frame.functionName || "(anonymous)"}@${shortUrl(frame.url)}:${frame.lineNumber + 1}`
      : "?";
  };
  const regex = new RegExp(pattern);
  const matches = (id: number) => regex.test(label(id));
  const chains = new Map<string, number>();
  for (const [id, us] of selfUs) {
    let match: number | undefined;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) if (matches(at)) match = at;
    if (match === undefined) continue;
    const chain: string[] = [];
    for (let at = parent.get(match), depth = 0; at !== undefined && depth < 8; at = parent.get(at), depth++) {
      chain.push(label(at));
    }
    const key = `${label(match)} <- ${chain.join(" <- ")}`;
    chains.set(key, (chains.get(key) ?? 0) + us);
  }
  return chains;
}

function print(title: string, map: Map<string, number>, total: number, top: number): void {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(
      `${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`,
    );
  }
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, "");
  return path.startsWith("/") ? relative(process.cwd(), path) : path;
}

main().catch((thrown: unknown) => {
  console.error(thrown);
  process.exit(1);
});
