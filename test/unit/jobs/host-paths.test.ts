import { describe, expect, it } from "vitest";
import { hostPathRedactor, redactRecords } from "../../../src/jobs/activities/host-paths.js";

describe("hostPathRedactor: what invokers see instead of host paths", () => {
  const redact = hostPathRedactor([
    { path: "/srv/work/mini-batch-x1", shown: "" },
    { path: "/srv/work/models/m/1/", shown: "$AZUREML_MODEL_DIR" },
    { path: "/srv/work", shown: "<work>" },
  ]);

  it("names a mini-batch file by its item name and the nested model folder before the scratch space", () => {
    expect(redact("open '/srv/work/mini-batch-x1/dir/a.txt' and /srv/work/models/m/1/w.bin")).toBe(
      "open 'dir/a.txt' and $AZUREML_MODEL_DIR/w.bin",
    );
    expect(redact("at file:///srv/work/bundles/b.mjs:3:9 in /srv/work")).toBe(
      "at file://<work>/bundles/b.mjs:3:9 in <work>",
    );
    expect(redact("cwd /srv/work/mini-batch-x1")).toBe("cwd .");
    expect(redact("nothing to hide")).toBe("nothing to hide");
  });

  it("rewrites a log record's message and text fields", () => {
    const [record] = redactRecords(
      [
        {
          time: "t",
          level: "error",
          source: "script",
          message: "failed /srv/work/mini-batch-x1/a.txt",
          fields: { stack: "at /srv/work/x.mjs", count: 2 },
        },
      ],
      redact,
    );
    expect(record).toMatchObject({ message: "failed a.txt", fields: { stack: "at <work>/x.mjs", count: 2 } });
  });
});
