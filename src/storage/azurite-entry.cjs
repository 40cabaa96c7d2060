"use strict";
/**
 * The entry file of the embedded Azurite (`startAzurite`, `npm start`'s detached one, the bench,
 * every integration test): `node azurite-entry.cjs <Azurite's flags>`. It applies two patches inside
 * the Azurite process, neither of which changes what any request answers, then loads Azurite's own
 * entry (`azurite/dist/src/azurite.js`), which reads the same flags. node_modules stays untouched.
 *
 * 1. lokijs (Azurite's metadata store, in memory and on disk) answers a query of several equality
 *    clauses (`findOne({ accountName, containerName, name, snapshot })`, Azurite's every blob,
 *    block, message and entity lookup) through the binary index of its FIRST clause only; that is
 *    `accountName`, which every document shares, so each lookup walked every blob of the account
 *    (even other containers'): a small GET cost 2.5 ms of Azurite CPU with 500 blobs held and
 *    18 ms with 25,500. `preferSelectiveIndex` finds the candidates through the clause whose index
 *    range is the smallest (`name`, `blobName`, `RowKey`...), keeps those equal (===) on every
 *    clause, and returns them in the order lokijs would have: when more than one matches, in the
 *    order of the first clause's index range (or of the data, when that clause has no index).
 * 2. Azurite's request dispatcher parses one URI template per operation for every request
 *    (`uriTemplate(spec.path)` in `generated/utils/utils.js`); `memoizeUriTemplates` makes the
 *    `uri-templates` module return the template it already parsed (the parsed template holds no
 *    state between calls).
 *
 * Why and what it changed: docs/benchmarks.md; the tests: test/unit/storage/azurite-entry.test.ts.
 */
const { createRequire } = require("node:module");

const PATCHED = Symbol.for("batchfn.preferSelectiveIndex");

/** Azurite's own entry file, and a `require` that resolves modules as Azurite's does. */
function azurite() {
  const entry = require.resolve("azurite/dist/src/azurite.js");
  return { entry, require: createRequire(entry) };
}

/** Patches `Loki.Resultset.prototype.find` (once) so equality queries use the most selective index. */
function preferSelectiveIndex(Loki) {
  const prototype = Loki.Resultset.prototype;
  if (prototype.find[PATCHED]) return;
  const find = prototype.find;
  function findBySelectiveIndex(query, firstOnly) {
    const rows = selectiveRows(this, query, firstOnly === true);
    if (rows === undefined) return find.call(this, query, firstOnly);
    this.filteredrows = rows;
    this.filterInitialized = true;
    return this;
  }
  findBySelectiveIndex[PATCHED] = find;
  prototype.find = findBySelectiveIndex;
}

/**
 * The data positions lokijs's own `find` returns for `query`, or `undefined` where that `find` has
 * to answer (a chained or empty result set, a non-adaptive collection, an operator, a nested or
 * dotted key, no index better than the first clause's).
 */
function selectiveRows(resultset, query, firstOnly) {
  const collection = resultset.collection;
  if (resultset.filterInitialized || collection.adaptiveBinaryIndices !== true) return undefined;
  if (collection.data.length === 0 || query === null || typeof query !== "object") return undefined;
  const clauses = equalityClauses(query, collection.binaryIndices);
  if (clauses === undefined || clauses.length < 2) return undefined;
  let best;
  for (const clause of clauses) {
    if (!clause.index) continue;
    const [low, high] = collection.calculateRange("$eq", clause.key, clause.value);
    if (best === undefined || high - low < best.high - best.low) best = { clause, low, high };
  }
  if (best === undefined || best.clause === clauses[0]) return undefined;
  const data = collection.data;
  const positions = best.clause.index.values;
  const matches = [];
  for (let at = best.low; at <= best.high; at++) {
    const row = positions[at];
    if (clauses.every((clause) => data[row][clause.key] === clause.value)) matches.push(row);
  }
  if (matches.length <= 1) return matches;
  return inLokiOrder(collection, clauses[0], matches, firstOnly);
}

/** `[{ key, value, index }]` of a query whose clauses are all `key: primitive`, else undefined. */
function equalityClauses(query, indices) {
  const clauses = [];
  for (const key in query) {
    if (!Object.hasOwn(query, key)) return undefined;
    const value = query[key];
    if (key.startsWith("$") || key.includes(".")) return undefined;
    if ((typeof value === "object" && value !== null) || typeof value === "function") return undefined;
    const index = Object.hasOwn(indices, key) ? indices[key] : undefined;
    if (index === undefined && indices[key] !== undefined) return undefined;
    if (index?.dirty) return undefined;
    clauses.push({ key, value, index });
  }
  return clauses;
}

/**
 * Several matches, ordered as lokijs's `$and` leaves them: its first clause walks that clause's
 * index range when the key has an index, the data otherwise, and the later clauses only filter.
 */
function inLokiOrder(collection, first, matches, firstOnly) {
  if (!first.index) {
    matches.sort((a, b) => a - b);
    return firstOnly ? matches.slice(0, 1) : matches;
  }
  const members = new Set(matches);
  const ordered = [];
  const [low, high] = collection.calculateRange("$eq", first.key, first.value);
  const positions = first.index.values;
  for (let at = low; at <= high && ordered.length < matches.length; at++) {
    if (!members.has(positions[at])) continue;
    ordered.push(positions[at]);
    if (firstOnly) break;
  }
  return ordered;
}

/**
 * Makes `require("uri-templates")` (as Azurite's modules resolve it) return one parsed template per
 * template text. Must run before Azurite's modules load (they keep the function they got).
 */
function memoizeUriTemplates(azuriteRequire) {
  const path = azuriteRequire.resolve("uri-templates");
  const parse = azuriteRequire("uri-templates");
  if (parse[PATCHED]) return;
  const parsed = new Map();
  function memoizedUriTemplate(template) {
    let uriTemplate = parsed.get(template);
    if (uriTemplate === undefined) {
      uriTemplate = parse(template);
      parsed.set(template, uriTemplate);
    }
    return uriTemplate;
  }
  memoizedUriTemplate[PATCHED] = parse;
  azuriteRequire.cache[path].exports = memoizedUriTemplate;
}

/** Applies both patches to the modules Azurite loads. */
function patchAzurite() {
  const { require: azuriteRequire } = azurite();
  memoizeUriTemplates(azuriteRequire);
  preferSelectiveIndex(azuriteRequire("lokijs"));
}

module.exports = { PATCHED, azuriteEntry: () => azurite().entry, patchAzurite, preferSelectiveIndex };

if (require.main === module) {
  patchAzurite();
  require(azurite().entry);
}
