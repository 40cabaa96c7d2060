import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import {
  blockId,
  checkPerFileNames,
  errorShards,
  outputShards,
  perFileName,
  shardOf,
} from "../../../src/io/output/output-layout.js";
import { outputTarget } from "../../../src/io/output/output-target.js";
import { csvHeader, errorLines, formatRows } from "../../../src/io/output/row-format.js";

const location = {
  display: "azureml://datastores/ws/paths/out/",
  store: { kind: "app" as const },
  container: "c1",
  prefix: "out/",
};
const base = {
  job: "job-1",
  location,
  action: "append_row" as const,
  fileName: "predictions.csv",
  format: "aml" as const,
};

describe("formatRows", () => {
  it("writes Azure ML rows: strings as is, record values joined by one space, no header", () => {
    const formatted = formatRows(
      [
        "a.png: 7",
        { file: "b.png", label: 3, ok: true, none: null, probs: [0.1, 0.9] },
        { when: new Date("2026-01-02T03:04:05Z") },
      ],
      "aml",
      0,
    );
    expect(formatted).toEqual({ text: "a.png: 7\nb.png 3 true  [0.1,0.9]\n2026-01-02T03:04:05.000Z\n" });
  });

  it("keeps every aml row on one line: line feeds and carriage returns become \\n and \\r", () => {
    const formatted = formatRows(
      ["two\nlines", { file: "a.txt", text: "one\r\ntwo", path: "C:\\new" }, "plain"],
      "aml",
      0,
    );
    expect(formatted.text).toBe("two\\nlines\na.txt one\\r\\ntwo C:\\new\nplain\n");
    expect(formatted.text.split("\n")).toHaveLength(4);
  });

  it("writes a string row as one csv field, quoted when it holds a comma, a quote or a line break", () => {
    expect(formatRows(["plain", 'say "hi"\nbye', "a,b"], "csv", 0).text).toBe(
      'plain\n"say ""hi""\nbye"\n"a,b"\n',
    );
  });

  it("writes RFC 4180 csv aligned on the first record's columns, header kept apart", () => {
    const formatted = formatRows(
      [{ id: 1, text: 'a "quoted", text' }, { text: "line\nbreak", id: 2 }, { id: 3 }, "pre,formatted"],
      "csv",
      4,
    );
    expect(formatted.columns).toEqual(["id", "text"]);
    expect(formatted.text).toBe('1,"a ""quoted"", text"\n2,"line\nbreak"\n3,\n"pre,formatted"\n');
    expect(csvHeader(["id", "a,b"])).toBe('id,"a,b"\n');
    const repeated = formatRows(
      [
        { n: 0.5, f: "a,b.csv" },
        { n: 1, f: "a,b.csv" },
        { n: undefined, f: "c.csv" },
      ],
      "csv",
      1,
    );
    expect(repeated.text).toBe('0.5,"a,b.csv"\n1,"a,b.csv"\n,c.csv\n');
  });

  it("refuses a record with a column the first record did not have", () => {
    try {
      formatRows([{ a: 1 }, { a: 2, b: 3 }], "csv", 9);
      expect.unreachable();
    } catch (thrown) {
      expect(thrown).toBeInstanceOf(BatchfnError);
      expect((thrown as BatchfnError).code).toBe("OutputColumnsMismatch");
      expect((thrown as BatchfnError).message).toContain("Mini-batch 9, row 2: column 'b'");
    }
    // as many keys as the first record, one of them another
    expect(() =>
      formatRows(
        [
          { a: 1, b: 2 },
          { a: 3, c: 4 },
        ],
        "csv",
        2,
      ),
    ).toThrow(/row 2: column 'c'/);
  });

  it("writes jsonl: a record as one JSON object, a text row as a JSON string", () => {
    const formatted = formatRows(
      [
        { file: "b.png", label: 3, ok: true, none: null, nan: Number.NaN, big: 2n ** 62n },
        'say "hi"\nbye',
        { when: new Date("2026-01-02T03:04:05Z"), probs: [0.1, 0.9] },
      ],
      "jsonl",
      0,
    );
    expect(formatted.columns).toBeUndefined();
    expect(formatted.text).toBe(
      `{"file":"b.png","label":3,"ok":true,"none":null,"nan":null,"big":4611686018427387904}\n"say \\"hi\\"\\nbye"\n{"when":"2026-01-02T03:04:05.000Z","probs":[0.1,0.9]}\n`,
    );
    const lines = formatted.text.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[1] ?? "")).toBe('say "hi"\nbye');
  });

  it("writes one JSON line per failed item, with the count only when it is not 1", () => {
    expect(
      errorLines(
        [
          { item: "a.csv", count: 1, code: "C", message: "m" },
          { item: "b.csv", count: 10, code: "D", message: "n" },
        ],
        3,
        2,
      ),
    ).toBe(
      '{"item":"a.csv","mini_batch":3,"attempt":2,"code":"C","message":"m"}\n{"item":"b.csv","mini_batch":3,"attempt":2,"code":"D","message":"n","count":10}\n',
    );
  });
});

describe("output layout", () => {
  it("uses the file name as is while the plan fits in one file, else numbered shards", () => {
    const single = outputTarget({ ...base, miniBatches: 3, maxMiniBatchesPerFile: 3 });
    expect(outputShards(single)).toEqual([{ shard: 0, fileName: "predictions.csv", first: 0, end: 3 }]);
    expect(errorShards(single).map((shard) => shard.fileName)).toEqual(["errors.jsonl"]);

    const sharded = outputTarget({ ...base, miniBatches: 7, maxMiniBatchesPerFile: 3 });
    expect(outputShards(sharded).map((shard) => [shard.fileName, shard.first, shard.end])).toEqual([
      ["predictions-00000.csv", 0, 3],
      ["predictions-00001.csv", 3, 6],
      ["predictions-00002.csv", 6, 7],
    ]);
    expect(shardOf(sharded, 5).fileName).toBe("predictions-00001.csv");
    expect(shardOf(sharded, 6, "errors.jsonl").fileName).toBe("errors-00002.jsonl");
    expect(
      outputShards(outputTarget({ ...base, fileName: "out", miniBatches: 2, maxMiniBatchesPerFile: 1 }))[1]
        ?.fileName,
    ).toBe("out-00001");
  });

  it("derives equal-length block ids from job, kind, mini-batch and attempt", () => {
    const ids = [
      blockId("job-1", "rows", 0, 1),
      blockId("job-1", "rows", 123_456, 2),
      blockId("job-1", "header", 0, 0),
      blockId("a-much-longer-job-name-than-the-others", "errors", 9_999_999, 99),
    ];
    expect(new Set(ids.map((id) => id.length)).size).toBe(1);
    expect(new Set(ids).size).toBe(ids.length);
    expect(blockId("job-1", "rows", 5, 1)).toBe(blockId("job-1", "rows", 5, 1));
    expect(blockId("job-1", "rows", 5, 1)).not.toBe(blockId("job-2", "rows", 5, 1));
    expect(Buffer.from(ids[0] ?? "", "base64").length).toBeLessThanOrEqual(64);
  });

  it("names a per_file output after its input file, with the format's extension", () => {
    expect(perFileName("a.csv", "parquet")).toBe("a.parquet");
    expect(perFileName("2026/01/trips.v2.csv", "jsonl")).toBe("2026/01/trips.v2.jsonl");
    expect(perFileName("images/1.png", "aml")).toBe("images/1.csv");
    expect(perFileName("folder.d/README", "csv")).toBe("folder.d/README.csv");
    expect(perFileName(".hidden", "csv")).toBe(".hidden.csv");
  });

  it("refuses input files whose per_file outputs would clash, or take batchfn's own names", () => {
    expect(() =>
      checkPerFileNames(["a.csv", "b.csv", "sub/a.csv", "sub/errors.csv"], "parquet"),
    ).not.toThrow();
    const clash = (items: string[], format: "csv" | "jsonl") => {
      try {
        checkPerFileNames(items, format);
      } catch (thrown) {
        if (thrown instanceof BatchfnError) return thrown;
      }
      throw new Error("expected OutputNameClash");
    };
    const same = clash(["a.csv", "a.parquet"], "csv");
    expect(same.code).toBe("OutputNameClash");
    expect(same.message).toContain("'a.csv' and 'a.parquet' would both write their predictions to 'a.csv'");
    expect(clash(["errors.csv"], "jsonl").message).toContain(
      "'errors.jsonl', the name of a file batchfn writes",
    );
  });

  it("refuses output file names with folders or batchfn's own names", () => {
    for (const fileName of ["a/b.csv", "..", "errors.jsonl", "job_summary.json"]) {
      expect(() => outputTarget({ ...base, fileName, miniBatches: 1 })).toThrow(/output_file_name/);
    }
  });
});
