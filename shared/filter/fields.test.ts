/** Tests of the field registry (shared/fields.ts); kept here because this change may only touch shared/filter/ besides fields.ts. */
import { describe, expect, it } from 'vitest';
import { field, fieldNames, FIELDS, ftName, isProtocolName, typeName, type FieldDef } from '../fields.js';

/** The fields the brief lists, typed as `tshark -G fields` (4.0.17) types them. */
const EXPECTED: ReadonlyArray<readonly [string, FieldDef['type'], number?]> = [
  ['frame.number', 'uint', 32],
  ['frame.len', 'uint', 32],
  ['frame.cap_len', 'uint', 32],
  ['frame.time', 'time'],
  ['frame.time_epoch', 'reltime'],
  ['frame.time_relative', 'reltime'],
  ['frame.time_delta', 'reltime'],
  ['frame.time_delta_displayed', 'reltime'],
  ['frame.interface_id', 'uint', 32],
  ['frame.protocols', 'string'],
  ['frame.comment', 'string'],
  ['frame.marked', 'bool'],
  ['frame.encap_type', 'int', 16],
  ['eth.src', 'ether'],
  ['eth.dst', 'ether'],
  ['eth.addr', 'ether'],
  ['eth.type', 'uint', 16],
  ['eth.ig', 'bool'],
  ['eth.lg', 'bool'],
  ['vlan.id', 'uint', 16],
  ['vlan.priority', 'uint', 16],
  ['vlan.etype', 'uint', 16],
  ['sll.pkttype', 'uint', 16],
  ['arp.opcode', 'uint', 16],
  ['arp.src.hw_mac', 'ether'],
  ['arp.src.proto_ipv4', 'ipv4'],
  ['arp.dst.hw_mac', 'ether'],
  ['arp.dst.proto_ipv4', 'ipv4'],
  ['ip.version', 'uint', 8],
  ['ip.hdr_len', 'uint', 8],
  ['ip.dsfield', 'uint', 8],
  ['ip.dsfield.dscp', 'uint', 8],
  ['ip.len', 'uint', 16],
  ['ip.id', 'uint', 16],
  ['ip.flags', 'uint', 8],
  ['ip.flags.rb', 'bool'],
  ['ip.flags.df', 'bool'],
  ['ip.flags.mf', 'bool'],
  ['ip.frag_offset', 'uint', 16],
  ['ip.ttl', 'uint', 8],
  ['ip.proto', 'uint', 8],
  ['ip.checksum', 'uint', 16],
  ['ip.src', 'ipv4'],
  ['ip.dst', 'ipv4'],
  ['ip.addr', 'ipv4'],
  ['ipv6.version', 'uint', 8],
  ['ipv6.tclass', 'uint', 32],
  ['ipv6.flow', 'uint', 24],
  ['ipv6.plen', 'uint', 16],
  ['ipv6.nxt', 'uint', 8],
  ['ipv6.hlim', 'uint', 8],
  ['ipv6.src', 'ipv6'],
  ['ipv6.dst', 'ipv6'],
  ['ipv6.addr', 'ipv6'],
  ['ipv6.fragment', 'framenum'],
  ['ipv6.fraghdr.ident', 'uint', 32],
  ['tcp.srcport', 'uint', 16],
  ['tcp.dstport', 'uint', 16],
  ['tcp.port', 'uint', 16],
  ['tcp.stream', 'uint', 32],
  ['tcp.len', 'uint', 32],
  ['tcp.seq', 'uint', 32],
  ['tcp.seq_raw', 'uint', 32],
  ['tcp.ack', 'uint', 32],
  ['tcp.ack_raw', 'uint', 32],
  ['tcp.nxtseq', 'uint', 32],
  ['tcp.hdr_len', 'uint', 8],
  ['tcp.flags', 'uint', 16],
  ['tcp.flags.ae', 'bool'],
  ['tcp.flags.cwr', 'bool'],
  ['tcp.flags.ece', 'bool'],
  ['tcp.flags.urg', 'bool'],
  ['tcp.flags.ack', 'bool'],
  ['tcp.flags.push', 'bool'],
  ['tcp.flags.reset', 'bool'],
  ['tcp.flags.syn', 'bool'],
  ['tcp.flags.fin', 'bool'],
  ['tcp.window_size_value', 'uint', 16],
  ['tcp.window_size', 'uint', 32],
  ['tcp.checksum', 'uint', 16],
  ['tcp.urgent_pointer', 'uint', 16],
  ['tcp.options.mss_val', 'uint', 16],
  ['tcp.payload', 'bytes'],
  ['tcp.analysis.retransmission', 'none'],
  ['tcp.analysis.out_of_order', 'none'],
  ['tcp.analysis.duplicate_ack', 'none'],
  ['tcp.analysis.flags', 'none'],
  ['udp.srcport', 'uint', 16],
  ['udp.dstport', 'uint', 16],
  ['udp.port', 'uint', 16],
  ['udp.length', 'uint', 16],
  ['udp.checksum', 'uint', 16],
  ['udp.stream', 'uint', 32],
  ['udp.payload', 'bytes'],
  ['icmp.type', 'uint', 8],
  ['icmp.code', 'uint', 8],
  ['icmp.ident', 'uint', 16],
  ['icmp.seq', 'uint', 16],
  ['icmp.checksum', 'uint', 16],
  ['icmpv6.type', 'uint', 8],
  ['icmpv6.code', 'uint', 8],
  ['vxlan.vni', 'uint', 24],
  ['gre.proto', 'uint', 16],
  ['data.data', 'bytes'],
  ['http.host', 'string'],
  ['http.request.method', 'string'],
  ['http.response.code', 'uint', 16],
  ['dns.qry.name', 'string'],
  ['dns.a', 'ipv4'],
  ['dns.aaaa', 'ipv6'],
  ['tls.handshake.extensions_server_name', 'string'],
  ['smb2.cmd', 'uint', 16],
  ['ntlmssp.auth.username', 'string'],
  ['kerberos.CNameString', 'string'],
];

describe('field registry', () => {
  it.each(EXPECTED.map(([name, type, bits]) => ({ name, type, bits })))('$name is $type', ({ name, type, bits }) => {
    const def = field(name);
    expect(def, name).toBeDefined();
    expect(def!.type).toBe(type);
    if (bits !== undefined) expect(def!.bits).toBe(bits);
  });

  it.each([
    'frame',
    'eth',
    'vlan',
    'sll',
    'arp',
    'ip',
    'ipv6',
    'tcp',
    'udp',
    'icmp',
    'icmpv6',
    'vxlan',
    'gre',
    'data',
    'http',
    'dns',
    'tls',
    'smb2',
    'ntlmssp',
    'kerberos',
  ])('%s is a protocol', (name) => {
    expect(field(name)).toMatchObject({ name, type: 'protocol', protocol: name });
    expect(isProtocolName(name)).toBe(true);
  });

  it('names every field once, each under its protocol', () => {
    const names = FIELDS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    // Wireshark registers a few fields under another protocol's name (mptcp.* under tcp, mausb.pid under llc,
    // netlogon.* under rpc_netlogon).
    const foreign = FIELDS.filter((f) => f.name !== f.protocol && !f.name.startsWith(`${f.protocol}.`)).map((f) => f.name.split('.')[0]);
    expect(new Set(foreign)).toEqual(new Set(['mptcp', 'udplite', 'locamation-im', 'mausb', 'netlogon']));
    expect(FIELDS.length).toBeGreaterThan(1500);
  });

  it('includes sub-protocols such as TCP options and IPv6 extension headers', () => {
    expect(field('tcp.options.mss')).toMatchObject({ type: 'protocol', protocol: 'tcp' });
    expect(field('ipv6.fraghdr')).toMatchObject({ type: 'protocol', protocol: 'ipv6' });
    expect(field('ipv6.fraghdr.ident')).toMatchObject({ type: 'uint', bits: 32, base: 'hex' });
  });

  it('fieldNames() is sorted and complete', () => {
    const names = fieldNames();
    expect(names).toEqual([...names].sort());
    expect(names).toHaveLength(FIELDS.length);
    expect(isProtocolName('ip.src')).toBe(false);
    expect(field('ip.scr')).toBeUndefined();
  });

  it('marks the either-side fields', () => {
    expect(field('ip.addr')!.eitherSide).toEqual(['ip.src', 'ip.dst']);
    expect(field('ipv6.addr')!.eitherSide).toEqual(['ipv6.src', 'ipv6.dst']);
    expect(field('eth.addr')!.eitherSide).toEqual(['eth.src', 'eth.dst']);
    expect(field('tcp.port')!.eitherSide).toEqual(['tcp.srcport', 'tcp.dstport']);
    expect(field('udp.port')!.eitherSide).toEqual(['udp.srcport', 'udp.dstport']);
    expect(field('ip.src')!.eitherSide).toBeUndefined();
    for (const f of FIELDS) for (const side of f.eitherSide ?? []) expect(field(side)?.type, side).toBe(f.type);
  });

  it('marks repeatable fields', () => {
    expect(field('frame.len')!.multi).toBe(false);
    expect(field('sll.pkttype')!.multi).toBe(false);
    expect(field('ip.src')!.multi).toBe(true);
    expect(field('tcp.port')!.multi).toBe(true);
  });

  it('keeps display bases and value names', () => {
    expect(field('tcp.flags')).toMatchObject({ base: 'hex', bits: 16 });
    expect(field('tcp.srcport')).toMatchObject({ base: 'dec' });
    expect(field('ip.proto')!.valueNames![6]).toBe('TCP');
    expect(field('eth.type')!.valueNames![0x0800]).toBe('IPv4');
    expect(field('tcp.flags.syn')!.valueNames).toEqual({ 1: 'Set', 0: 'Not set' });
    expect(field('frame.p2p_dir')!.valueNames![-1]).toBe('Unknown');
  });

  it('gives Wireshark type names', () => {
    expect(typeName(field('tcp.port')!)).toBe('Unsigned integer (2 bytes)');
    expect(typeName(field('ip.ttl')!)).toBe('Unsigned integer (1 byte)');
    expect(typeName(field('vxlan.vni')!)).toBe('Unsigned integer (3 bytes)');
    expect(typeName(field('frame.encap_type')!)).toBe('Signed integer (2 bytes)');
    expect(typeName(field('ip.src')!)).toBe('IPv4 address');
    expect(typeName(field('eth.src')!)).toBe('Ethernet or other MAC address');
    expect(typeName(field('tcp.analysis.retransmission')!)).toBe('Label');
    expect(typeName(field('ip.geoip.lat')!)).toBe('Floating point (double-precision)');
    expect(ftName(field('tcp.port')!)).toBe('FT_UINT16');
    expect(ftName(field('frame.time')!)).toBe('FT_ABSOLUTE_TIME');
  });
});
