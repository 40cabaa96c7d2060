/** A sleep that can be cut short: a polling loop waits on it, and new work wakes it at once. */
export class Wakeup {
  private pending: (() => void) | undefined;
  private signalled = false;

  /** Resolves after `ms`, or as soon as {@link notify} is called (also if it was called before). */
  wait(ms: number): Promise<void> {
    if (this.signalled) {
      this.signalled = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.pending === done) this.pending = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.pending = done;
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
