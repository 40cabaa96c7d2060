import { RestError } from "@azure/storage-blob";

/** The HTTP status and storage error code of a failed SDK call (`BlobNotFound`, `ContainerNotFound`...). */
export interface StorageFailure {
  status: number | undefined;
  code: string | undefined;
}

/** Reads status and error code from anything an Azure Storage SDK call throws. */
export function storageFailure(thrown: unknown): StorageFailure {
  if (!(thrown instanceof RestError)) return { status: undefined, code: undefined };
  const details = thrown.details;
  const detailCode =
    typeof details === "object" && details !== null && "errorCode" in details
      ? String(details.errorCode)
      : undefined;
  return { status: thrown.statusCode, code: detailCode ?? thrown.code };
}

/** True when the call failed because the blob or container does not exist. */
export function isNotFound(thrown: unknown): boolean {
  return storageFailure(thrown).status === 404;
}

/** True when a conditional request lost (`If-Match` / `If-None-Match`), or a create-only write met an existing blob. */
export function isConditionFailure(thrown: unknown): boolean {
  const { status, code } = storageFailure(thrown);
  return status === 412 || (status === 409 && code === "BlobAlreadyExists");
}
