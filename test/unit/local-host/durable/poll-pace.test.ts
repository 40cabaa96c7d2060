import { describe, expect, it } from "vitest";
import { PollPace } from "../../../../src/local-host/durable/poll-pace.js";

describe("PollPace", () => {
  it("doubles the pause after each empty receive, up to the ceiling", () => {
    const pace = new PollPace(50, 1_000);
    const pauses: number[] = [];
    for (let i = 0; i < 8; i++) {
      pace.received(0);
      pauses.push(pace.pause(0));
    }
    expect(pauses).toEqual([50, 100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });

  it("goes back to the poll interval after a receive with messages, or when woken by a send", () => {
    const pace = new PollPace(50, 1_000);
    for (let i = 0; i < 5; i++) pace.received(0);
    pace.received(3);
    expect(pace.pause(0)).toBe(50);
    for (let i = 0; i < 5; i++) pace.received(0);
    pace.woken();
    pace.received(0);
    expect(pace.pause(0)).toBe(50);
  });

  it("wakes when a message sent invisible becomes visible, then polls at the usual pace", () => {
    const pace = new PollPace(50, 1_000);
    for (let i = 0; i < 6; i++) pace.received(0);
    pace.expect(10_300);
    pace.expect(10_100);
    expect(pace.pause(10_000)).toBe(100);
    pace.received(0);
    expect(pace.pause(10_100)).toBe(50);
    expect(pace.pause(10_150)).toBe(150);
    expect(pace.pause(10_300)).toBe(50);
    pace.received(0);
    expect(pace.pause(10_350)).toBe(1_000);
  });

  it("keeps the poll interval when it is above the ceiling", () => {
    const pace = new PollPace(2_000, 1_000);
    for (let i = 0; i < 4; i++) pace.received(0);
    expect(pace.pause(0)).toBe(2_000);
  });
});
