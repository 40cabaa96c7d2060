/** A sleep that can be cut short: a polling loop waits on it, and new work wakes it at once. */
export class Wakeup {
  private pending: (() => void) | undefined;
  private signalled = false;

  /**
   * Resolves after `ms`, or as soon as {@link notify} is called (also if it was called before):
   * true when notified, false when the time ran out.
   */
  wait(ms: number): Promise<boolean> {
    if (this.signalled) {
      this.signalled = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const done = (notified: boolean) => {
        clearTimeout(timer);
        if (this.pending === finish) this.pending = undefined;
        resolve(notified);
      };
      const finish = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      this.pending = finish;
    });
  }

  notify(): void {
    const pending = this.pending;
    if (pending) {
      this.pending = undefined;
      pending();
    } else {
      this.signalled = true;
    }
  }
}
