/**
 * Raw IP link types (tcpdump.org): LINKTYPE_RAW (101, and DLT_RAW's platform values 12
 * and 14) where the version nibble says IPv4 or IPv6; LINKTYPE_IPV4 (228) and
 * LINKTYPE_IPV6 (229) which fix the version. Wireshark calls the first "raw" in the
 * protocol stack and dissects the other two directly as ip / ipv6.
 */
import { MalformedError } from '../bytes/reader.js';
import { need, type Ctx } from './ctx.js';
import { ethertypes } from './tables.js';

export function dissectRaw(c: Ctx, off: number, end: number, rend: number): void {
  c.layer = 'raw';
  c.push('raw');
  const s = c.s;
  s.protocol = 'N/A';
  s.info = 'Raw packet data';
  need(off, 1, end, rend);
  const v = c.data[off]! >> 4;
  const next = v === 4 ? ethertypes.get(0x0800) : v === 6 ? ethertypes.get(0x86dd) : undefined;
  if (next === undefined) throw new MalformedError(off, `Raw packet with IP version ${v}`);
  next(c, off, end, rend);
}

export function dissectRawIpv4(c: Ctx, off: number, end: number, rend: number): void {
  ethertypes.get(0x0800)!(c, off, end, rend);
}

export function dissectRawIpv6(c: Ctx, off: number, end: number, rend: number): void {
  ethertypes.get(0x86dd)!(c, off, end, rend);
}
