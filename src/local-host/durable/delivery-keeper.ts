import type { Delivery } from "./queue-channel.js";

interface Kept {
  delivery: Delivery<unknown>;
  renewedAt: number;
}

/**
 * Keeps received messages invisible while the host holds them (waiting for their instance, running
 * their activity, waiting for a timer's exact time): renews each one a third of the visibility
 * timeout after its last renewal. A message whose renewal fails is let go: it comes back to a
 * receiver and is processed again, which the backend tolerates (at least once).
 */
export class DeliveryKeeper {
  private readonly kept = new Map<Delivery<unknown>, Kept>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly visibilityMs: number,
    private readonly onLost: (delivery: Delivery<unknown>, problem: unknown) => void = () => {},
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.renewDue(), Math.max(200, this.visibilityMs / 6));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.kept.clear();
  }

  keep(delivery: Delivery<unknown>): void {
    this.kept.set(delivery, { delivery, renewedAt: Date.now() });
  }

  release(delivery: Delivery<unknown>): void {
    this.kept.delete(delivery);
  }

  private async renewDue(): Promise<void> {
    const due = Date.now() - this.visibilityMs / 3;
    const renewals = [...this.kept.values()]
      .filter((kept) => kept.renewedAt <= due)
      .map(async (kept) => {
        kept.renewedAt = Date.now();
        try {
          await kept.delivery.renew(this.visibilityMs);
        } catch (thrown) {
          this.kept.delete(kept.delivery);
          this.onLost(kept.delivery, thrown);
        }
      });
    await Promise.all(renewals);
  }
}
