import { isIPv4, isIPv6 } from "node:net";

/**
 * What an IP address is, for the URL input policy: `public` (fetched), `private` (loopback and
 * private ranges: fetched only with BATCHFN_ALLOW_PRIVATE_URL_INPUTS=true) or `forbidden`
 * (link-local, cloud metadata and non-unicast: never fetched). IPv6 addresses that embed an IPv4
 * one (mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged by it.
 */
export type AddressClass = { kind: "public" } | { kind: "private" | "forbidden"; label: string };

type Range = readonly [prefix: string, bits: number, label: string];

const V4_FORBIDDEN: readonly Range[] = [
  ["0.0.0.0", 8, "unspecified"],
  ["169.254.0.0", 16, "link-local (cloud metadata)"],
  ["168.63.129.16", 32, "Azure platform (wire server)"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"],
];
const V4_PRIVATE: readonly Range[] = [
  ["127.0.0.0", 8, "loopback"],
  ["10.0.0.0", 8, "private (10.0.0.0/8)"],
  ["172.16.0.0", 12, "private (172.16.0.0/12)"],
  ["192.168.0.0", 16, "private (192.168.0.0/16)"],
  ["100.64.0.0", 10, "shared address space (100.64.0.0/10)"],
  ["192.0.0.0", 24, "IETF protocol assignments (192.0.0.0/24)"],
  ["198.18.0.0", 15, "benchmarking (198.18.0.0/15)"],
];
const V6_FORBIDDEN: readonly Range[] = [
  ["::", 128, "unspecified"],
  ["fd00:ec2::254", 128, "cloud metadata (fd00:ec2::254)"],
  ["fe80::", 10, "link-local (fe80::/10)"],
  ["ff00::", 8, "multicast"],
];
const V6_PRIVATE: readonly Range[] = [
  ["::1", 128, "loopback"],
  ["fc00::", 7, "unique local (fc00::/7)"],
  ["fec0::", 10, "site-local (fec0::/10)"],
];
/** IPv6 prefixes whose addresses carry an IPv4 address, and where (bits from the right). */
const V6_EMBEDDING: readonly (readonly [prefix: string, bits: number, shift: number])[] = [
  ["::ffff:0:0", 96, 0],
  ["64:ff9b::", 96, 0],
  ["::", 96, 0],
  ["2002::", 16, 80],
];

/** Classifies an IP address (a host name is not an address: resolve it first). */
export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (isIPv4(bare)) return classifyV4(v4Value(bare));
  if (!isIPv6(bare)) throw new TypeError(`'${address}' is not an IP address`);
  const value = v6Value(bare);
  const listed = match(value, 128, V6_FORBIDDEN, "forbidden") ?? match(value, 128, V6_PRIVATE, "private");
  if (listed) return listed;
  for (const [prefix, bits, shift] of V6_EMBEDDING) {
    if (inRange(value, 128, v6Value(prefix), bits)) return classifyV4((value >> BigInt(shift)) & 0xffffffffn);
  }
  return { kind: "public" };
}

function classifyV4(value: bigint): AddressClass {
  return (
    match(value, 32, V4_FORBIDDEN, "forbidden") ??
    match(value, 32, V4_PRIVATE, "private") ?? { kind: "public" }
  );
}

function match(
  value: bigint,
  width: number,
  ranges: readonly Range[],
  kind: "private" | "forbidden",
): AddressClass | undefined {
  for (const [prefix, bits, label] of ranges) {
    const start = width === 32 ? v4Value(prefix) : v6Value(prefix);
    if (inRange(value, width, start, bits)) return { kind, label };
  }
  return undefined;
}

function inRange(value: bigint, width: number, start: bigint, bits: number): boolean {
  const shift = BigInt(width - bits);
  return value >> shift === start >> shift;
}

function v4Value(address: string): bigint {
  return address.split(".").reduce((sum, part) => (sum << 8n) + BigInt(Number(part)), 0n);
}

function v6Value(address: string): bigint {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const v4 = v4Value(dotted[1]);
    text = `${text.slice(0, -dotted[1].length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return groups.reduce((sum, group) => (sum << 16n) + BigInt(Number.parseInt(group, 16)), 0n);
}
