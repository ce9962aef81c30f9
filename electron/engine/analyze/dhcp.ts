/**
 * DHCP (and BOOTP) over UDP 67/68: message fields, options, and the host facts they give
 * (names, MAC ↔ IP bindings, OS hints).
 *
 * References: RFC 951 (BOOTP message), RFC 2131 §2 (message format: op, htype, hlen, hops,
 * xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr[16], sname[64], file[128],
 * options after the magic cookie 99.130.83.99), §3 (DISCOVER/OFFER/REQUEST/ACK exchange:
 * the address is bound by the DHCPACK's yiaddr), RFC 2132 (options: §3.1 pad, §3.2 end,
 * §3.3 subnet mask, §3.5 router, §3.8 DNS, §3.14 host name, §3.17 domain name, §9.1 requested
 * IP, §9.2 lease time, §9.3 option overload (options continue in `file`, then `sname`),
 * §9.6 message type, §9.7 server id, §9.8 parameter request list, §9.9 message, §9.11/9.12
 * T1/T2, §9.13 vendor class, §9.14 client identifier), RFC 4702 (client FQDN, option 81).
 *
 * Fields mirror Wireshark 4.0's DHCP dissector (checked against tshark 4.0.17 on the
 * corpus): the fixed header, then per option dhcp.option.type / .length / .value and the
 * option's own field. Wireshark's End option shows dhcp.option.type as 0; so do we.
 */
import type { AppSink, Dir, FrameCtx, StreamInfo, UdpParser } from './types.js';

export const DHCP_PORTS: readonly number[] = [67, 68];

/** Fixed BOOTP header before the cookie (RFC 2131 §2). */
const HEADER = 236;
const COOKIE = 0x63825363;
/** Options dissected per message: a DHCP message holds tens; the option area is at most a few hundred bytes (plus overloaded sname/file), so more means garbage. */
export const MAX_OPTIONS = 256;
/** Characters of a host name or string option kept in records (RFC 2132 allows 255 octets). */
const MAX_STRING = 255;
/** Transactions remembered per conversation to label later replies: a client runs a handful. */
const MAX_XIDS = 64;

export const DHCP_MESSAGE_TYPES: Readonly<Record<number, string>> = {
  1: 'Discover',
  2: 'Offer',
  3: 'Request',
  4: 'Decline',
  5: 'ACK',
  6: 'NAK',
  7: 'Release',
  8: 'Inform',
  9: 'Force Renew',
  10: 'Lease query',
  11: 'Lease Unassigned',
  12: 'Lease Unknown',
  13: 'Lease Active',
  14: 'Bulk Lease Query',
  15: 'Lease Query Done',
  16: 'Active LeaseQuery',
  17: 'Lease Query Status',
  18: 'TLS',
};

/** Options whose value is a list of IPv4 addresses and their field (RFC 2132). */
const ADDRESS_OPTIONS: Readonly<Record<number, string>> = {
  1: 'dhcp.option.subnet_mask',
  3: 'dhcp.option.router',
  4: 'dhcp.option.time_server',
  6: 'dhcp.option.domain_name_server',
  28: 'dhcp.option.broadcast_address',
  42: 'dhcp.option.ntp_server',
  50: 'dhcp.option.requested_ip_address',
  54: 'dhcp.option.dhcp_server_id',
};
/** Options carrying text. */
const STRING_OPTIONS: Readonly<Record<number, string>> = {
  12: 'dhcp.option.hostname',
  15: 'dhcp.option.domain_name',
  56: 'dhcp.option.message',
  60: 'dhcp.option.vendor_class_id',
};
/** Options carrying a 32-bit count of seconds. */
const U32_OPTIONS: Readonly<Record<number, string>> = {
  51: 'dhcp.option.ip_address_lease_time',
  58: 'dhcp.option.renewal_time_value',
  59: 'dhcp.option.rebinding_time_value',
};

/** OS family from the vendor class identifier (RFC 2132 §9.13; values as the common clients send them). */
export function osFromVendorClass(v: string): string | null {
  if (/^MSFT 5\.0/.test(v)) return 'Windows';
  if (/^MSFT 98/.test(v)) return 'Windows 98/Me';
  if (/^MSFT/.test(v)) return 'Windows';
  if (/^android-dhcp/i.test(v)) return 'Android';
  if (/^dhcpcd/i.test(v)) return /android/i.test(v) ? 'Android' : 'Linux/BSD (dhcpcd)';
  if (/^udhcp/i.test(v)) return 'Linux (BusyBox udhcpc)';
  if (/^Cisco|^ciscopnp/i.test(v)) return 'Cisco';
  if (/^AAPLBSDPC/i.test(v)) return 'macOS';
  if (/^PXEClient/i.test(v)) return 'PXE boot client';
  return null;
}

export function ip4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function macText(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** A NUL-padded fixed string field (sname, file): up to the first NUL. */
function cString(b: Uint8Array): string {
  const z = b.indexOf(0);
  return latin1(z < 0 ? b : b.subarray(0, z));
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}

/** Text of a string option, cut at a NUL as Wireshark's FT_STRINGZ shows it. */
function optString(b: Uint8Array): string {
  const z = b.indexOf(0);
  const t = new TextDecoder('utf-8').decode(z < 0 ? b : b.subarray(0, z));
  return t.length > MAX_STRING ? t.slice(0, MAX_STRING) : t;
}

/** DNS wire-format name (RFC 4702 §2.3.1 with the E flag), uncompressed. */
function wireName(b: Uint8Array): string {
  const labels: string[] = [];
  let i = 0;
  while (i < b.length && labels.length < 128) {
    const n = b[i]!;
    if (n === 0 || n > 63 || i + 1 + n > b.length) break;
    labels.push(latin1(b.subarray(i + 1, i + 1 + n)));
    i += 1 + n;
  }
  return labels.join('.');
}

interface Parsed {
  op: number;
  xid: number;
  ciaddr: number;
  yiaddr: number;
  mac: string | null;
  msgType: number | null;
  hostname: string | null;
  requested: number | null;
  serverId: number | null;
  lease: number | null;
  vendor: string | null;
  fqdn: string | null;
  params: number[];
}

/** DHCP/BOOTP analyzer for one UDP conversation. */
export class DhcpParser implements UdpParser {
  /** Client identity by transaction, for replies that come back on the same conversation. */
  private xids = new Map<number, { mac: string | null; hostname: string | null }>();

  constructor(private readonly info: StreamInfo) {}

  datagram(_dir: Dir, bytes: Uint8Array, ctx: FrameCtx): void {
    try {
      const p = this.parse(bytes, ctx.sink);
      if (p) this.records(p, ctx);
    } catch (e) {
      ctx.sink.anomaly('dhcp', `dissector error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private parse(b: Uint8Array, sink: AppSink): Parsed | null {
    if (b.length < HEADER) {
      sink.anomaly('dhcp', `message of ${b.length} bytes is shorter than the ${HEADER}-byte BOOTP header`, 0);
      sink.columns('DHCP', 'Malformed DHCP message');
      return null;
    }
    const op = b[0]!;
    const htype = b[1]!;
    const hlen = b[2]!;
    const xid = u32(b, 4);
    const flags = (b[10]! << 8) | b[11]!;
    sink.field('dhcp.type', op);
    sink.field('dhcp.hw.type', htype);
    sink.field('dhcp.hw.len', hlen);
    sink.field('dhcp.hops', b[3]!);
    sink.field('dhcp.id', xid);
    sink.field('dhcp.secs', (b[8]! << 8) | b[9]!);
    sink.field('dhcp.flags', flags);
    sink.field('dhcp.flags.bc', flags >> 15);
    sink.field('dhcp.flags.reserved', flags & 0x7fff);
    const ciaddr = u32(b, 12);
    const yiaddr = u32(b, 16);
    sink.field('dhcp.ip.client', ciaddr);
    sink.field('dhcp.ip.your', yiaddr);
    sink.field('dhcp.ip.server', u32(b, 20));
    sink.field('dhcp.ip.relay', u32(b, 24));
    let mac: string | null = null;
    // RFC 2131 §2: chaddr is 16 octets of which hlen are used; Ethernet is htype 1, hlen 6.
    if (htype === 1 && hlen === 6) {
      const m = b.slice(28, 34);
      mac = macText(m);
      sink.field('dhcp.hw.mac_addr', m);
      sink.field('dhcp.hw.addr_padding', b.slice(34, 44));
    } else if (hlen > 0 && hlen <= 16) {
      sink.field('dhcp.hw.addr', b.slice(28, 28 + hlen));
      if (hlen < 16) sink.field('dhcp.hw.addr_padding', b.slice(28 + hlen, 44));
    } else {
      sink.field('dhcp.hw.addr', b.slice(28, 44));
    }
    const p: Parsed = { op, xid, ciaddr, yiaddr, mac, msgType: null, hostname: null, requested: null, serverId: null, lease: null, vendor: null, fqdn: null, params: [] };
    const hasCookie = b.length >= HEADER + 4 && u32(b, HEADER) === COOKIE;
    // Option overload (RFC 2132 §9.3) is only known after the main options; the sname/file
    // strings are emitted before them in Wireshark's tree, so look for option 52 first.
    const overload = hasCookie ? findOverload(b.subarray(HEADER + 4)) : 0;
    if (!(overload & 2)) sink.field('dhcp.server', cString(b.subarray(44, 108)));
    if (!(overload & 1)) sink.field('dhcp.file', cString(b.subarray(108, 236)));
    if (!hasCookie) {
      if (b.length >= HEADER + 4) sink.anomaly('dhcp', 'no DHCP magic cookie: plain BOOTP', HEADER);
      sink.columns('BOOTP', op === 1 ? 'Boot Request' : op === 2 ? 'Boot Reply' : `Unknown BOOTP message type (${op})`);
      return p;
    }
    sink.field('dhcp.cookie', COOKIE);
    const budget = { left: MAX_OPTIONS };
    this.options(b, HEADER + 4, b.length, p, sink, budget, true);
    if (overload & 1) this.options(b, 108, 236, p, sink, budget, false);
    if (overload & 2) this.options(b, 44, 108, p, sink, budget, false);
    if (p.msgType !== null) {
      const name = DHCP_MESSAGE_TYPES[p.msgType] ?? `Unknown Message Type (0x${p.msgType.toString(16).padStart(2, '0')})`;
      sink.columns('DHCP', `DHCP ${name.padEnd(8)} - Transaction ID 0x${xid.toString(16)}`);
    } else {
      sink.columns('BOOTP', op === 1 ? 'Boot Request' : 'Boot Reply');
    }
    return p;
  }

  private options(b: Uint8Array, start: number, end: number, p: Parsed, sink: AppSink, budget: { left: number }, main: boolean): void {
    let i = start;
    while (i < end) {
      if (budget.left-- <= 0) {
        sink.anomaly('dhcp', `more than ${MAX_OPTIONS} options; the rest are ignored`, i);
        return;
      }
      const code = b[i]!;
      if (code === 0) {
        // RFC 2132 §3.1 pad: Wireshark shows a run of pads (and anything after End) as padding.
        let j = i;
        while (j < end && b[j] === 0) j++;
        sink.field('dhcp.option.padding', b.slice(i, j));
        i = j;
        continue;
      }
      if (code === 255) {
        sink.field('dhcp.option.type', 0);
        sink.field('dhcp.option.end', 255);
        i++;
        if (main && i < end) {
          // Bytes after End are padding (RFC 2131 §2: the options field is at least 312 octets).
          sink.field('dhcp.option.padding', b.slice(i, end));
        }
        return;
      }
      if (i + 1 >= end) {
        sink.anomaly('dhcp', `option ${code} has no length byte`, i);
        return;
      }
      const len = b[i + 1]!;
      if (i + 2 + len > end) {
        sink.anomaly('dhcp', `option ${code} of length ${len} runs past the end of the message`, i);
        return;
      }
      const v = b.subarray(i + 2, i + 2 + len);
      sink.field('dhcp.option.type', code);
      sink.field('dhcp.option.length', len);
      sink.field('dhcp.option.value', v.slice());
      this.option(code, v, p, sink, i);
      i += 2 + len;
    }
    if (main) sink.anomaly('dhcp', 'options end without an End option (255)', end);
  }

  private option(code: number, v: Uint8Array, p: Parsed, sink: AppSink, at: number): void {
    const addrField = ADDRESS_OPTIONS[code];
    if (addrField !== undefined) {
      if (v.length % 4 !== 0 || v.length === 0) {
        sink.anomaly('dhcp', `option ${code}: length ${v.length} is not a multiple of 4`, at);
        return;
      }
      for (let o = 0; o + 4 <= v.length; o += 4) sink.field(addrField, u32(v, o));
      if (code === 50) p.requested = u32(v, 0);
      if (code === 54) p.serverId = u32(v, 0);
      return;
    }
    const strField = STRING_OPTIONS[code];
    if (strField !== undefined) {
      const s = optString(v);
      sink.field(strField, s);
      if (code === 12) p.hostname = s;
      if (code === 60) p.vendor = s;
      return;
    }
    const u32Field = U32_OPTIONS[code];
    if (u32Field !== undefined) {
      if (v.length !== 4) {
        sink.anomaly('dhcp', `option ${code}: length ${v.length}, expected 4`, at);
        return;
      }
      sink.field(u32Field, u32(v, 0));
      if (code === 51) p.lease = u32(v, 0);
      return;
    }
    switch (code) {
      case 53:
        if (v.length === 1) {
          p.msgType = v[0]!;
          sink.field('dhcp.option.dhcp', v[0]!);
        } else sink.anomaly('dhcp', `option 53: length ${v.length}, expected 1`, at);
        return;
      case 52:
        if (v.length === 1) sink.field('dhcp.option.option_overload', v[0]!);
        return;
      case 55:
        for (const x of v) {
          sink.field('dhcp.option.request_list_item', x);
          p.params.push(x);
        }
        return;
      case 61:
        // RFC 2132 §9.14: a type octet (hardware type for a MAC) and the identifier.
        if (v.length === 7 && v[0] === 1) {
          sink.field('dhcp.hw.type', 1);
          sink.field('dhcp.hw.mac_addr', v.slice(1, 7));
        } else if (v.length >= 1) {
          sink.field('dhcp.client_id.type', v[0]!);
          sink.field('dhcp.client_id', v.slice(1));
        }
        return;
      case 81:
        // RFC 4702 §2: flags, RCODE1, RCODE2, then the name (DNS wire format when E is set).
        if (v.length >= 3) {
          const f = v[0]!;
          sink.field('dhcp.fqdn.flags', f);
          sink.field('dhcp.fqdn.rcode1', v[1]!);
          sink.field('dhcp.fqdn.rcode2', v[2]!);
          const name = f & 0x04 ? wireName(v.subarray(3)) : latin1(v.subarray(3));
          if (v.length > 3) sink.field('dhcp.fqdn.name', name);
          p.fqdn = name.slice(0, MAX_STRING);
        } else sink.anomaly('dhcp', `option 81: length ${v.length} is shorter than 3`, at);
        return;
    }
  }

  private records(p: Parsed, ctx: FrameCtx): void {
    const { sink, frame } = ctx;
    const type = p.msgType === null ? (p.op === 1 ? 'BOOTREQUEST' : 'BOOTREPLY') : (DHCP_MESSAGE_TYPES[p.msgType] ?? `type ${p.msgType}`);
    if (p.op === 1) {
      if (this.xids.size >= MAX_XIDS) {
        const k = this.xids.keys().next();
        if (!k.done) this.xids.delete(k.value);
      }
      this.xids.set(p.xid, { mac: p.mac, hostname: p.hostname ?? p.fqdn });
    }
    const known = this.xids.get(p.xid);
    const mac = p.mac ?? known?.mac ?? null;
    const hostname = p.hostname ?? p.fqdn ?? known?.hostname ?? null;
    // The address the message is about: the bound one in an ACK, the one asked for in a
    // REQUEST, else the client's own (INFORM, RELEASE, renewals).
    const ip = p.msgType === 5 ? p.yiaddr : p.msgType === 2 ? p.yiaddr : p.requested ?? p.ciaddr;
    const details: Record<string, string> = { type, xid: `0x${p.xid.toString(16).padStart(8, '0')}` };
    if (mac) details.mac = mac;
    if (ip) details.ip = ip4(ip);
    if (hostname) details.hostname = hostname;
    if (p.vendor) details.vendorClass = p.vendor;
    if (p.serverId !== null) details.server = ip4(p.serverId);
    if (p.lease !== null) details.leaseSeconds = String(p.lease);
    if (p.params.length > 0) details.parameterRequestList = p.params.join(',');
    const event = p.msgType === 5 ? 'lease' : type.toLowerCase().replace(/\s+/g, '-');
    const text = `DHCP ${type}${ip ? ` ${ip4(ip)}` : ''}${mac ? ` for ${mac}` : ''}${hostname ? ` (${hostname})` : ''}`;
    sink.record({
      kind: 'app.event',
      frame,
      stream: this.info.stream,
      protocol: 'dhcp',
      client: this.info.client.addr,
      server: this.info.server.addr,
      event,
      text,
      details,
    });
    // Facts need an address: an ACK's yiaddr, or a client's requested / current address.
    // NAK, DECLINE and OFFER bind nothing.
    if (p.msgType === 6 || p.msgType === 4 || p.msgType === 2 || !ip) return;
    const addr = ip4(ip);
    const what = `DHCP ${type}`;
    if (mac) sink.record({ kind: 'host.fact', frame, addr, fact: 'mac', value: mac, source: p.msgType === 5 ? `${what} (yiaddr, chaddr)` : `${what} (chaddr)` });
    if (hostname) sink.record({ kind: 'host.fact', frame, addr, fact: 'name.dhcp', value: hostname, source: `${what} option ${p.hostname !== null ? 12 : 81}` });
    if (p.vendor) {
      const os = osFromVendorClass(p.vendor);
      if (os) sink.record({ kind: 'host.fact', frame, addr, fact: 'os', value: os, source: `${what} option 60 (vendor class "${p.vendor}")` });
    }
  }
}

/** Option 52's value in the main option area (0 when absent). */
function findOverload(opts: Uint8Array): number {
  let i = 0;
  let n = 0;
  while (i + 1 < opts.length && n++ < MAX_OPTIONS) {
    const c = opts[i]!;
    if (c === 0) {
      i++;
      continue;
    }
    if (c === 255) return 0;
    const len = opts[i + 1]!;
    if (c === 52 && len === 1 && i + 2 < opts.length) return opts[i + 2]! & 3;
    i += 2 + len;
  }
  return 0;
}
