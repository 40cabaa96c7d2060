import { describe, expect, it } from "vitest";
import { classifyAddress } from "../../../src/io/inputs/address-ranges.js";

describe("classifyAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["10.0.0.1", "10.0.0.0/8"],
    ["10.255.255.255", "10.0.0.0/8"],
    ["172.16.0.1", "172.16.0.0/12"],
    ["172.31.255.254", "172.16.0.0/12"],
    ["192.168.1.1", "192.168.0.0/16"],
    ["100.64.0.1", "100.64.0.0/10"],
    ["100.127.255.255", "100.64.0.0/10"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["fc00::1", "fc00::/7"],
    ["fd12:3456::1", "fc00::/7"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:10.1.2.3", "10.0.0.0/8"],
    ["64:ff9b::a01:203", "10.0.0.0/8"],
    ["2002:c0a8:101::1", "192.168.0.0/16"],
  ])("%s is private (%s)", (address, label) => {
    const found = classifyAddress(address);
    expect(found.kind).toBe("private");
    expect(found.kind !== "public" && found.label).toContain(label);
  });

  it.each([
    ["169.254.169.254", "link-local"],
    ["169.254.0.1", "link-local"],
    ["168.63.129.16", "Azure platform"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["febf::1", "link-local"],
    ["fd00:ec2::254", "metadata"],
    ["::", "unspecified"],
    ["ff02::1", "multicast"],
    ["::ffff:169.254.169.254", "link-local"],
    ["::ffff:a9fe:a9fe", "link-local"],
  ])("%s is always refused (%s)", (address, label) => {
    const found = classifyAddress(address);
    expect(found.kind).toBe("forbidden");
    expect(found.kind !== "public" && found.label).toContain(label);
  });

  it.each([
    "8.8.8.8",
    "93.184.215.14",
    "172.15.255.255",
    "172.32.0.1",
    "100.63.255.255",
    "100.128.0.1",
    "169.253.255.255",
    "11.0.0.1",
    "2606:4700::1111",
    "2a00:1450:4001::1",
    "::ffff:8.8.8.8",
  ])("%s is public", (address) => {
    expect(classifyAddress(address)).toEqual({ kind: "public" });
  });

  it("refuses to classify a host name", () => {
    expect(() => classifyAddress("localhost")).toThrow(TypeError);
  });
});
