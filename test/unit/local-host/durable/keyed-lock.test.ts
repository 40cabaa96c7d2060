import { describe, expect, it } from "vitest";
import { KeyedLock } from "../../../../src/local-host/durable/keyed-lock.js";
import { Wakeup } from "../../../../src/local-host/durable/wakeup.js";

describe("keyed lock", () => {
  it("runs sections of one key one after the other, and of other keys side by side", async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = lock.run("a", async () => {
      order.push("a1 start");
      await gate;
      order.push("a1 end");
    });
    const second = lock.run("a", async () => {
      order.push("a2");
    });
    const other = lock.run("b", async () => {
      order.push("b");
    });
    await other;
    expect(order).toEqual(["a1 start", "b"]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(["a1 start", "b", "a1 end", "a2"]);
  });

  it("releases the key when a section throws", async () => {
    const lock = new KeyedLock();
    await expect(lock.run("a", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await lock.run("a", async () => "next")).toBe("next");
  });
});

describe("wakeup", () => {
  it("ends a wait at once when notified, also when notified before the wait", async () => {
    const wakeup = new Wakeup();
    const waiting = wakeup.wait(60_000);
    wakeup.notify();
    await waiting;
    wakeup.notify();
    await wakeup.wait(60_000);
  });
});
