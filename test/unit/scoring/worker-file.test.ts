import { describe, expect, it } from "vitest";
import { cpuProfileFlags } from "../../../src/scoring/worker-file.js";

describe("a worker thread's Node flags", () => {
  it("carry the parent's --cpu-prof flags and their values, so that workers are profiled too", () => {
    const parent = ["--cpu-prof", "--cpu-prof-dir", "/tmp/p", "--cpu-prof-interval=500", "--import", "tsx"];
    expect(cpuProfileFlags(parent)).toEqual([
      "--cpu-prof",
      "--cpu-prof-dir",
      "/tmp/p",
      "--cpu-prof-interval=500",
    ]);
  });

  it("leave out --cpu-prof-name, which every thread would write to", () => {
    expect(cpuProfileFlags(["--cpu-prof", "--cpu-prof-name", "one.cpuprofile", "--cpu-prof-name=x"])).toEqual(
      ["--cpu-prof"],
    );
  });

  it("are none when the parent is not profiled", () => {
    expect(cpuProfileFlags(["--import", "tsx", "--enable-source-maps"])).toEqual([]);
  });
});
