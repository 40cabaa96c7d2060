import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  registerDeploymentFile,
  registerEndpointFile,
} from "../../../src/api/registry/register-from-files.js";
import { parseDatastoreUri } from "../../../src/io/inputs/datastore-path.js";
import { startInboxJob } from "../../../src/jobs/inbox/inbox-job.js";
import type { JobRunner } from "../../../src/jobs/job-runner.js";
import { type EngineWorld, engineWorld } from "../../support/engine-world.js";
import { examplePath } from "../examples/example-files.js";

let world: EngineWorld;
const runner: JobRunner = { start: async () => {}, status: async () => undefined };

beforeAll(async () => {
  world = await engineWorld();
  const options = { registry: world.engine.registry, workDir: world.engine.workDir };
  await registerEndpointFile(examplePath("taxi-tip", "endpoint.yml"), options);
  await registerDeploymentFile(examplePath("taxi-tip", "deployment.yml"), options);
}, 60_000);

afterAll(async () => {
  await world?.close();
});

describe("inbox blob names are taken as they are", () => {
  it.each([
    "a%41.csv",
    "rate 5%.csv",
    "sub/100%25 off.csv",
  ])("reads and writes '%s' without percent-decoding it", async (file) => {
    const { engine, config } = world;
    const { job } = await startInboxJob(
      { name: `taxi-tip/${file}`, etag: "0x1" },
      {
        config,
        registry: engine.registry,
        records: engine.records,
        store: engine.store,
        outputs: engine.outputs,
        runner,
      },
    );
    const spec = await engine.store.loadSpec(job);
    expect(spec.input.kind === "uri" && parseDatastoreUri(spec.input.uri)?.path).toBe(`taxi-tip/${file}`);
    expect(spec.output.location?.prefix).toBe(`taxi-tip/${file}/${job}/`);
  });
});
