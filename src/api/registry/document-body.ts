import type { HttpRequest } from "@azure/functions";
import { errors } from "../../errors.js";
import { isMapping } from "../../spec/fields.js";
import { READ_ONLY_FIELDS } from "../../spec/resources.js";
import { readBody } from "../http.js";

/**
 * Reads a resource document (JSON or YAML) sent to a URL that names the resource. A body read back
 * from a GET can be sent as it is: its `READ_ONLY_FIELDS` are dropped before the document is parsed. Each field of
 * `names` (`name`, `endpoint_name`, `version`) may be left out of the body, and is then taken from
 * the URL; when the body gives it, it must be the URL's (`NameMismatch`). A body that is not a
 * mapping is returned as it is, for the document parser to refuse.
 */
export async function readDocumentBody(
  request: HttpRequest,
  names: Record<string, string>,
): Promise<unknown> {
  const body = await readBody(request, { yaml: true });
  if (!isMapping(body)) return body;
  const document: Record<string, unknown> = { ...names };
  for (const [field, value] of Object.entries(body)) {
    if (READ_ONLY_FIELDS.includes(field)) continue;
    const fromUrl = names[field];
    const given = value === null ? undefined : value;
    if (fromUrl !== undefined && given !== undefined && String(given) !== fromUrl) {
      throw errors.nameMismatch(field, String(given), fromUrl);
    }
    document[field] = given ?? fromUrl;
  }
  return document;
}
