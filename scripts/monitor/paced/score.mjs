// The job monitor's demo and browser-test script: takes PACE_MS milliseconds per file, logs a line
// per file, and fails every mini-batch holding a file whose name starts with "bad".
import { basename } from "node:path";

let pace = 0;
export async function init(context) {
  pace = Number(context.env.PACE_MS ?? "200");
}
export async function run(miniBatch) {
  const rows = [];
  for (const file of miniBatch) {
    const name = basename(file);
    await new Promise((resolve) => setTimeout(resolve, pace));
    if (name.startsWith("bad")) throw new Error(`cannot read ${name}: not a scorable record`);
    console.log(`scored ${name}`);
    rows.push(`${name}: ${name.length % 2 === 0 ? "even" : "odd"}`);
  }
  return rows;
}
