/** Types of `azurite-entry.cjs` (the embedded Azurite's entry file), for its tests. */

/** Marks a patched function; its value is the function it replaced. */
export declare const PATCHED: unique symbol;

/** Azurite's own entry file (`azurite/dist/src/azurite.js`). */
export declare function azuriteEntry(): string;

/** Applies both patches to the lokijs and uri-templates modules Azurite loads. */
export declare function patchAzurite(): void;

type Find = (query?: unknown, firstOnly?: boolean) => unknown;

/** Patches `Loki.Resultset.prototype.find` so that equality queries use the most selective index. */
export declare function preferSelectiveIndex(Loki: { Resultset: { prototype: { find: Find } } }): void;
