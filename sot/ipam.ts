/** IPv4 arithmetic for IPAM checks: parse addresses and prefixes, containment, size. Pure. */

/** An IPv4 address as an unsigned 32-bit number; null when the text is not a dotted quad. */
export function ipv4ToInt(text: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  let n = 0;
  // indexed, not `for (… of m.slice(1))`: a site read checks every allocation (1,000s) in a
  // fresh process, where that form costs several times more
  for (let i = 1; i <= 4; i++) {
    const part = m[i]!;
    const v = Number(part);
    if (v > 255 || (part.length > 1 && part.charCodeAt(0) === 48)) return null;
    n = n * 256 + v;
  }
  return n;
}

/** A parsed IPv4 prefix. */
export interface Prefix4 { text: string; network: number; length: number; size: number }

/** Parse `a.b.c.d/len`; null when malformed or when host bits are set. */
export function parsePrefix(text: string): Prefix4 | null {
  const [addr, len, extra] = text.split('/');
  if (extra !== undefined || addr === undefined || len === undefined || !/^\d{1,2}$/.test(len)) return null;
  const length = Number(len);
  const network = ipv4ToInt(addr);
  if (network === null || length > 32) return null;
  const size = 2 ** (32 - length);
  if (network % size !== 0) return null;
  return { text, network, length, size };
}

/** Whether an address lies in a prefix. */
export function contains(prefix: Prefix4, address: number): boolean {
  return address >= prefix.network && address < prefix.network + prefix.size;
}

/** Addresses of a prefix that can be given to a peer: all of a /31 and /32, else without network and broadcast. */
export function usableSize(prefix: Prefix4): number {
  return prefix.length >= 31 ? prefix.size : prefix.size - 2;
}

/** Whether an address is the network or broadcast address of a prefix (of /30 and shorter). */
export function isNetworkOrBroadcast(prefix: Prefix4, address: number): boolean {
  return prefix.length < 31 && (address === prefix.network || address === prefix.network + prefix.size - 1);
}
