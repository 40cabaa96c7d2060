import { createRequire } from "node:module";
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { Prng } from "../../../bench/data/prng.js";
import type * as AzuriteEntry from "../../../src/storage/azurite-entry.cjs";
import { azuriteArgs } from "../../../src/storage/embedded-azurite.js";

/**
 * The embedded Azurite's entry file patches lokijs (equality queries through the most selective
 * index) and Azurite's URI template parsing (memoized). Both must leave every answer as it was:
 * these tests run the same queries through lokijs's own `find` and the patched one, on real lokijs
 * collections built with Azurite's indices, over seeded random data and operations.
 */
const require = createRequire(import.meta.url);
const entry: typeof AzuriteEntry = require("../../../src/storage/azurite-entry.cjs");
const azuriteRequire = createRequire(entry.azuriteEntry());

type Doc = Record<string, unknown>;
type Find = (this: Resultset, query?: unknown, firstOnly?: boolean) => Resultset;
interface Resultset {
  filteredrows: number[];
}
interface Collection {
  data: Doc[];
  insert(doc: Doc | Doc[]): unknown;
  update(doc: Doc | Doc[]): unknown;
  remove(doc: Doc | Doc[]): unknown;
  findAndRemove(query: Doc): unknown;
  findOne(query: Doc): Doc | null;
  chain(): Resultset;
}
interface Loki {
  new (
    file: string,
    options: { persistenceMethod: string },
  ): { addCollection(name: string, options: { indices: string[] }): Collection };
  Resultset: { prototype: { find: Find & { [entry.PATCHED]?: Find } } };
}

const Loki: Loki = azuriteRequire("lokijs");
const lokijsFind = Loki.Resultset.prototype.find;
let lokijsCalls = 0;
const countedFind: Find = function (this: Resultset, query, firstOnly) {
  lokijsCalls++;
  return lokijsFind.call(this, query, firstOnly);
};
Loki.Resultset.prototype.find = countedFind;
entry.preferSelectiveIndex(Loki);
const patchedFind = Loki.Resultset.prototype.find;

/** The data positions a find leaves, in its order, and whether lokijs's own find had to answer. */
function rows(collection: Collection, find: Find, query: unknown, firstOnly: boolean) {
  const resultset = collection.chain();
  const calls = lokijsCalls;
  find.call(resultset, query, firstOnly);
  return { rows: [...resultset.filteredrows], byLokijs: lokijsCalls > calls };
}

const BLOB_INDICES = ["accountName", "containerName", "name", "snapshot"];
const BLOCK_INDICES = ["accountName", "containerName", "blobName", "name"];

/** Values that lokijs's index treats as equal or close without being ===: numbers, padded numbers, "", null. */
const NAMES = [
  "a",
  "A",
  "b",
  "blob-1",
  "blob-10",
  "blob-9",
  "1",
  "01",
  "1.0",
  " 1",
  "10",
  "9",
  "",
  "x/y",
  "$logs",
];
const pick = <T>(prng: Prng, values: readonly T[]): T => values[prng.int(0, values.length - 1)] as T;

function randomDoc(prng: Prng, keys: string[]): Doc {
  const doc: Doc = { size: prng.int(0, 1000) };
  for (const key of keys) {
    const roll = prng.next();
    if (roll < 0.03) continue; // missing
    if (key === "accountName") doc[key] = roll < 0.9 ? "devstoreaccount1" : "other";
    else if (key === "containerName") doc[key] = pick(prng, ["c1", "c2", "c3", "10", "010"]);
    else if (key === "snapshot")
      doc[key] = roll < 0.7 ? "" : pick(prng, ["2026-12-03T10:00:00Z", "2026-12-03T11:00:00Z", null]);
    else doc[key] = roll < 0.05 ? prng.int(0, 12) : pick(prng, NAMES);
  }
  return doc;
}

function randomQuery(prng: Prng, keys: string[]): Doc {
  const query: Doc = {};
  const chosen = keys.filter(() => prng.next() < 0.7);
  if (chosen.length < 2) chosen.push(...keys.slice(0, 2));
  for (const key of prng.next() < 0.2 ? chosen.reverse() : chosen) {
    const value = randomDoc(prng, [key])[key];
    query[key] = prng.next() < 0.05 ? pick(prng, [undefined, null, 1, "missing"]) : value;
  }
  return query;
}

/** Random inserts (one and many), updates, removals and queries; every query answered both ways. */
function exercise(seed: number, keys: string[], operations: number) {
  const prng = new Prng(seed);
  const collection = new Loki("mem.db", { persistenceMethod: "memory" }).addCollection("c", {
    indices: keys,
  });
  let compared = 0;
  let patched = 0;
  for (let step = 0; step < operations; step++) {
    const roll = prng.next();
    const docs = collection.data;
    if (roll < 0.35 || docs.length < 20) collection.insert(randomDoc(prng, keys));
    else if (roll < 0.4)
      collection.insert(Array.from({ length: prng.int(2, 30) }, () => randomDoc(prng, keys)));
    else if (roll < 0.5) {
      const doc = pick(prng, docs);
      if (prng.next() < 0.5) doc.size = prng.int(0, 1000);
      else Object.assign(doc, randomDoc(prng, keys.slice(2)));
      collection.update(doc);
    } else if (roll < 0.53) collection.update(docs.filter(() => prng.next() < 0.1));
    else if (roll < 0.58) collection.remove(pick(prng, docs));
    else if (roll < 0.6) collection.findAndRemove(randomQuery(prng, keys));
    else {
      const query = randomQuery(prng, keys);
      const firstOnly = prng.next() < 0.5;
      const expected = rows(collection, countedFind, query, firstOnly).rows;
      const actual = rows(collection, patchedFind, query, firstOnly);
      expect(actual.rows, JSON.stringify({ seed, step, query, firstOnly })).toEqual(expected);
      const original = collection.findOne(query);
      expect(original === null ? null : collection.data.indexOf(original)).toEqual(expected[0] ?? null);
      compared++;
      if (!actual.byLokijs) patched++;
    }
  }
  return { compared, patched };
}

describe("the embedded Azurite's lokijs patch", () => {
  it("is installed over lokijs's own find, once", () => {
    expect(patchedFind).not.toBe(countedFind);
    expect(patchedFind[entry.PATCHED]).toBe(countedFind);
    entry.preferSelectiveIndex(Loki);
    expect(Loki.Resultset.prototype.find).toBe(patchedFind);
  });

  it.each([
    1, 2, 3, 4, 5,
  ])("answers like lokijs on Azurite's blob collection, including several matches, missing values and snapshots (seed %i)", (seed) => {
    const { compared, patched } = exercise(seed, BLOB_INDICES, 2000);
    expect(compared).toBeGreaterThan(500);
    expect(patched).toBeGreaterThan(compared / 4);
  });

  it.each([11, 12, 13])("answers like lokijs on Azurite's block collection (seed %i)", (seed) => {
    const { compared, patched } = exercise(seed, BLOCK_INDICES, 2000);
    expect(patched).toBeGreaterThan(compared / 4);
  });

  it("answers like lokijs on a table's entities (PartitionKey, RowKey) and where the first key has no index", () => {
    expect(exercise(21, ["PartitionKey", "RowKey"], 2000).patched).toBeGreaterThan(0);
    const unindexedFirst = (seed: number) => {
      const prng = new Prng(seed);
      const collection = new Loki("mem.db", { persistenceMethod: "memory" }).addCollection("c", {
        indices: ["name"],
      });
      for (let i = 0; i < 500; i++) collection.insert(randomDoc(prng, ["containerName", "name"]));
      for (let i = 0; i < 300; i++) {
        const query = randomQuery(prng, ["containerName", "name"]);
        for (const firstOnly of [false, true])
          expect(rows(collection, patchedFind, query, firstOnly).rows).toEqual(
            rows(collection, countedFind, query, firstOnly).rows,
          );
      }
    };
    unindexedFirst(22);
  });

  it("finds a blob among many without lokijs walking the account: Azurite's lookup, one container of thousands", () => {
    const collection = new Loki("mem.db", { persistenceMethod: "memory" }).addCollection("blobs", {
      indices: BLOB_INDICES,
    });
    for (let i = 0; i < 5000; i++)
      collection.insert({
        accountName: "devstoreaccount1",
        containerName: i % 2 ? "inputs" : "jobs",
        name: `blob-${i}`,
        snapshot: "",
      });
    const query = {
      accountName: "devstoreaccount1",
      containerName: "inputs",
      name: "blob-4001",
      snapshot: "",
    };
    const found = rows(collection, patchedFind, query, true);
    expect(found.byLokijs).toBe(false);
    expect(collection.data[found.rows[0] ?? -1]?.name).toBe("blob-4001");
    expect(found.rows).toEqual(rows(collection, countedFind, query, true).rows);
  });
});

describe("the embedded Azurite's URI templates", () => {
  it("parses each template once and matches every URL as a fresh parse does", () => {
    entry.patchAzurite();
    const memoized: (template: string) => unknown = azuriteRequire("uri-templates");
    const parse = (memoized as { [entry.PATCHED]?: (template: string) => unknown })[entry.PATCHED];
    expect(parse).toBeTypeOf("function");
    type Template = { fromUri(url: string, options: { strict: boolean }): unknown };
    const templates = ["blob", "queue", "table"].flatMap((service) => {
      const specs: { default: Record<string, { path?: string }> } = azuriteRequire(
        `./${service}/generated/artifacts/specifications`,
      );
      return Object.values(specs.default).map((spec) => `/${spec.path ?? ""}`);
    });
    const urls = [
      "/",
      "/devstoreaccount1",
      "/c1",
      "/c1/blob",
      "/c1/a/b/c.csv",
      "/$logs/x",
      "/q1/messages",
      "/q1/messages/0f1e",
      "/Tables",
      "/Tables('t1')",
      "/t1()",
      "/t1(PartitionKey='p',RowKey='r')",
      "/$batch",
      "/%24root/b",
      "",
    ];
    expect(new Set(templates).size).toBeGreaterThan(8);
    for (let round = 0; round < 3; round++)
      for (const template of templates) {
        expect(memoized(template)).toBe(memoized(template));
        for (const url of urls)
          expect((memoized(template) as Template).fromUri(url, { strict: true })).toEqual(
            (parse?.(template) as Template).fromUri(url, { strict: true }),
          );
      }
    const utils: { isURITemplateMatch(url: string, template: string): boolean } = azuriteRequire(
      "./blob/generated/utils/utils",
    );
    expect([
      utils.isURITemplateMatch("/c1/b", "/{containerName}/{blob}"),
      utils.isURITemplateMatch("/c1", "/{containerName}/{blob}"),
    ]).toEqual([true, false]);
  });
});

describe("azuriteArgs", () => {
  it("starts Azurite through the entry file that applies the patches", () => {
    const [file] = azuriteArgs({ inMemory: true });
    expect(basename(file ?? "")).toBe("azurite-entry.cjs");
  });
});
