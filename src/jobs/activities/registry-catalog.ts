import { BatchfnError } from "../../errors.js";
import type { InputCatalog } from "../../io/inputs/input-catalog.js";
import type { Registry } from "../../registry/registry.js";

/** The registry seen through the input port: a resource that is not registered is `undefined`. */
export function registryCatalog(registry: Registry): InputCatalog {
  return {
    getDatastore: (name) => orUndefined(registry.datastores.show(name)),
    getDataAsset: (name, version) => orUndefined(registry.data.show(name, version)),
  };
}

async function orUndefined<T>(shown: Promise<{ resource: T }>): Promise<T | undefined> {
  try {
    return (await shown).resource;
  } catch (thrown) {
    if (thrown instanceof BatchfnError && thrown.code === "NotFound") return undefined;
    throw thrown;
  }
}
