/**
 * The pace of a queue's receive loop: `pollMs` after a receive that got messages, doubling after
 * each empty one up to `maxIdleMs`. Messages this host sends wake the loop at once (`woken`), and a
 * message it sent invisible (a timer) cuts the pause short at the moment it becomes visible, so the
 * longer pauses only delay messages that come back by themselves (their visibility lapsed).
 */
export class PollPace {
  private idle = 0;
  /** When messages sent invisible become visible, ascending (epoch ms). */
  private dueTimes: number[] = [];

  constructor(
    private readonly pollMs: number,
    private readonly maxIdleMs: number,
  ) {}

  /** A message sent invisible becomes visible at `at` (epoch ms). */
  expect(at: number): void {
    this.dueTimes = [...this.dueTimes, at].sort((a, b) => a - b);
  }

  /** A receive returned `count` messages. */
  received(count: number): void {
    this.idle = count > 0 ? 0 : this.idle + 1;
  }

  /** Messages were sent: the next pause starts from `pollMs` again. */
  woken(): void {
    this.idle = 0;
  }

  /** How long to wait before the next receive, at `now` (epoch ms). */
  pause(now: number): number {
    const pending = this.dueTimes.findIndex((due) => due > now);
    const visible = pending < 0 ? this.dueTimes.length : pending;
    if (visible > 0) {
      // messages sent invisible became visible since the last receive: take them at the usual pace
      this.dueTimes = this.dueTimes.slice(visible);
      return this.pollMs;
    }
    const ceiling = Math.max(this.pollMs, this.maxIdleMs);
    const backoff = Math.min(this.pollMs * 2 ** Math.max(0, this.idle - 1), ceiling);
    const next = this.dueTimes[0];
    return next === undefined ? backoff : Math.min(backoff, next - now);
  }
}
