import { createHash } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { z } from "zod";

/**
 * What the host remembers of one blob version for one function: `done` once the function
 * succeeded, `retry` after a failure (tried again on the next poll), `poison` after the last
 * allowed attempt failed (never tried again, as Functions moves it to the poison queue).
 */
export interface BlobReceipt {
  container: string;
  blobName: string;
  etag: string;
  status: "done" | "retry" | "poison";
  attempts: number;
}

const receiptRow = z
  .object({
    container: z.string(),
    blobName: z.string(),
    blobETag: z.string(),
    status: z.enum(["done", "retry", "poison"]),
    attempts: z.number().int().min(0),
  })
  .transform(({ blobETag, ...rest }): BlobReceipt => ({ ...rest, etag: blobETag }));

/**
 * Blob receipts in a table: partition = function name, row = hash of container and blob name;
 * the blob's ETag is kept in `blobETag` (the entity's own `etag` is the row version).
 */
export interface BlobReceipts {
  /** Every receipt of a function, keyed by `receiptKey`. */
  load(functionName: string): Promise<Map<string, BlobReceipt>>;
  save(functionName: string, receipt: BlobReceipt): Promise<void>;
}

/** The key of a blob in a function's receipts (also its table row key). */
export function receiptKey(container: string, blobName: string): string {
  return createHash("sha256").update(`${container}/${blobName}`).digest("hex");
}

/** Receipts stored in Table Storage, so each blob version fires once, also across restarts. */
export function createBlobReceipts(table: TableClient): BlobReceipts {
  let created: Promise<void> | undefined;
  const ensureTable = () => {
    created ??= table.createTable().catch((thrown: unknown) => {
      created = undefined;
      throw thrown;
    });
    return created;
  };
  return {
    async load(functionName) {
      await ensureTable();
      const receipts = new Map<string, BlobReceipt>();
      const filter = `PartitionKey eq '${partitionKey(functionName).replace(/'/g, "''")}'`;
      for await (const entity of table.listEntities({ queryOptions: { filter } })) {
        const parsed = receiptRow.safeParse(entity);
        if (parsed.success) receipts.set(entity.rowKey ?? "", parsed.data);
      }
      return receipts;
    },
    async save(functionName, receipt) {
      await ensureTable();
      const { etag, ...rest } = receipt;
      await table.upsertEntity(
        {
          partitionKey: partitionKey(functionName),
          rowKey: receiptKey(receipt.container, receipt.blobName),
          ...rest,
          blobETag: etag,
        },
        "Replace",
      );
    },
  };
}

function partitionKey(functionName: string): string {
  return [...functionName].map((c) => (/[/\\#?]/.test(c) || c.charCodeAt(0) < 32 ? "_" : c)).join("");
}
