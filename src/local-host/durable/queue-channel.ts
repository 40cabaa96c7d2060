import { randomUUID } from "node:crypto";
import type { ContainerClient } from "@azure/storage-blob";
import type { QueueClient } from "@azure/storage-queue";
import { z } from "zod";
import { storageFailure } from "../../storage/storage-error.js";

/** Queue messages are capped at 64 KB; bigger bodies go to a blob and the message points to it. */
const INLINE_LIMIT_BYTES = 32 * 1024;
/** The longest visibility timeout Azure Queues accept (7 days), in seconds. */
const MAX_DELAY_SECONDS = 7 * 24 * 3600 - 1;

const envelopeSchema = z.union([
  z.object({ v: z.literal(1), body: z.unknown() }),
  z.object({ v: z.literal(1), blob: z.string() }),
]);

/** One received message, invisible to other receivers until acknowledged or its visibility lapses. */
export interface Delivery<T> {
  messageId: string;
  message: T;
  /** How many times the message was received, this time included. */
  dequeueCount: number;
  /** Keeps the message invisible for another `visibilityMs`. */
  renew(visibilityMs: number): Promise<void>;
  /** Deletes the message (and its spilled body); a message someone else received since is left alone. */
  ack(): Promise<void>;
}

export interface QueueChannelOptions<T> {
  queue: QueueClient;
  /** Container for bodies over the inline limit, written under `large/`. */
  spill: ContainerClient;
  schema: z.ZodType<T>;
  /** Called for a message that cannot be read; it is deleted. */
  onPoison?: (messageId: string, problem: string) => void;
}

/** A queue of typed messages: JSON bodies parsed with a schema, large ones spilled to Blob Storage. */
export class QueueChannel<T> {
  constructor(private readonly options: QueueChannelOptions<T>) {}

  /** Sends a message that becomes visible after `delayMs` (rounded down to seconds), never expiring. */
  async send(message: T, delayMs = 0): Promise<void> {
    let text = JSON.stringify({ v: 1, body: message });
    if (Buffer.byteLength(text) > INLINE_LIMIT_BYTES) {
      const blob = `large/${randomUUID()}.json`;
      const body = JSON.stringify(message);
      await this.options.spill.getBlockBlobClient(blob).upload(body, Buffer.byteLength(body));
      text = JSON.stringify({ v: 1, blob });
    }
    const visibilityTimeout = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.floor(delayMs / 1000)));
    await this.options.queue.sendMessage(text, { messageTimeToLive: -1, visibilityTimeout });
  }

  /** Receives up to `max` messages (at most 32), invisible to others for `visibilityMs`. */
  async receive(max: number, visibilityMs: number): Promise<Array<Delivery<T>>> {
    const response = await this.options.queue.receiveMessages({
      numberOfMessages: Math.max(1, Math.min(32, max)),
      visibilityTimeout: toSeconds(visibilityMs),
    });
    const deliveries: Array<Delivery<T>> = [];
    for (const item of response.receivedMessageItems) {
      const read = await this.read(item.messageText);
      if (!read.ok) {
        this.options.onPoison?.(item.messageId, read.problem);
        await this.delete(item.messageId, item.popReceipt);
        continue;
      }
      deliveries.push(this.delivery(item.messageId, item.popReceipt, item.dequeueCount, read));
    }
    return deliveries;
  }

  private delivery(
    messageId: string,
    firstReceipt: string,
    dequeueCount: number,
    read: { message: T; blob?: string },
  ): Delivery<T> {
    let popReceipt = firstReceipt;
    return {
      messageId,
      message: read.message,
      dequeueCount,
      renew: async (visibilityMs) => {
        const updated = await this.options.queue.updateMessage(
          messageId,
          popReceipt,
          undefined,
          toSeconds(visibilityMs),
        );
        if (updated.popReceipt) popReceipt = updated.popReceipt;
      },
      ack: async () => {
        if (!(await this.delete(messageId, popReceipt))) return;
        if (read.blob) await this.options.spill.deleteBlob(read.blob).catch(() => undefined);
      },
    };
  }

  private async read(
    text: string,
  ): Promise<{ ok: true; message: T; blob?: string } | { ok: false; problem: string }> {
    let envelope: z.infer<typeof envelopeSchema>;
    try {
      envelope = envelopeSchema.parse(JSON.parse(text));
    } catch {
      return { ok: false, problem: "not a batchfn durable message" };
    }
    let body: unknown;
    let blob: string | undefined;
    if ("blob" in envelope) {
      blob = envelope.blob;
      try {
        const buffer = await this.options.spill.getBlockBlobClient(blob).downloadToBuffer();
        body = JSON.parse(buffer.toString("utf8"));
      } catch {
        return { ok: false, problem: `its body blob '${blob}' is missing or not JSON` };
      }
    } else {
      body = envelope.body;
    }
    const parsed = this.options.schema.safeParse(body);
    if (!parsed.success) return { ok: false, problem: parsed.error.issues[0]?.message ?? "invalid body" };
    return { ok: true, message: parsed.data, blob };
  }

  /** Deletes a message; false when it is already gone or was received again by someone else. */
  private async delete(messageId: string, popReceipt: string): Promise<boolean> {
    try {
      await this.options.queue.deleteMessage(messageId, popReceipt);
      return true;
    } catch (thrown) {
      const { status } = storageFailure(thrown);
      if (status === 404 || status === 400) return false;
      throw thrown;
    }
  }
}

function toSeconds(ms: number): number {
  return Math.min(MAX_DELAY_SECONDS, Math.max(1, Math.ceil(ms / 1000)));
}
