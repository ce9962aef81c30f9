import { describe, expect, it } from 'vitest';
import { checkFilter } from '../../../shared/filter/index.js';
import type { PacketRow } from '../../../shared/model.js';
import { addressFamily, cellAddress, cellExpression, combineFilter, fieldExpression, PF_IP4, PF_IP6, quoteString, treeNodeExpression } from './filter-expr.js';

const valid = (f: string) => expect(checkFilter(f).diagnostics, f).toEqual([]);

const row = (over: Partial<PacketRow>): PacketRow => ({
  frame: 7, tsSec: 0, tsNsec: 0, src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, protocol: 'TCP', length: 60, caplen: 60, info: '', flowId: 1, flags: PF_IP4, ...over,
});

describe('pivot filter expressions', () => {
  it('quotes strings with escapes so captured text stays a literal', () => {
    expect(quoteString('plain')).toBe('"plain"');
    expect(quoteString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteString('x\ny\x7f')).toBe('"x\\x0ay\\x7f"');
    const hostile = 'evil" || 1 == 1 || "';
    const f = fieldExpression('http.host', hostile)!;
    expect(f).toBe('http.host == "evil\\" || 1 == 1 || \\""');
    valid(f);
    valid(fieldExpression('dns.qry.name', 'a\\b\n')!);
  });

  it('writes each field type in its literal syntax', () => {
    expect(fieldExpression('ip.src', '10.1.2.3')).toBe('ip.src == 10.1.2.3');
    expect(fieldExpression('ipv6.dst', '2001:db8::1')).toBe('ipv6.dst == 2001:db8::1');
    expect(fieldExpression('eth.src', '00:1F:5b:ff:51:cb')).toBe('eth.src == 00:1f:5b:ff:51:cb');
    expect(fieldExpression('tcp.flags.syn', true)).toBe('tcp.flags.syn == 1');
    expect(fieldExpression('tcp.flags.syn', false)).toBe('tcp.flags.syn == 0');
    expect(fieldExpression('tcp.port', 443)).toBe('tcp.port == 443');
    expect(fieldExpression('tcp.options.nop', undefined)).toBe('tcp.options.nop');
    expect(fieldExpression('tcp', undefined)).toBe('tcp');
    expect(fieldExpression('no.such.field', 1)).toBeNull();
    for (const f of ['ip.src == 10.1.2.3', 'ipv6.dst == 2001:db8::1', 'eth.src == 00:1f:5b:ff:51:cb', 'tcp.flags.syn == 1', 'tcp.options.nop']) valid(f);
    const time = fieldExpression('frame.time', '1385482078.892909000')!;
    expect(time).toBe('frame.time == "2013-11-26 16:07:58.892909000Z"');
    valid(time);
  });

  it('detail-tree nodes: field and value, hex-based fields, bytes as aa:bb, text lines none', () => {
    const flags = treeNodeExpression({ label: 'Flags', field: 'tcp.flags', offset: 46, length: 2, value: 24 })!;
    valid(flags);
    expect(treeNodeExpression({ label: 'just text', offset: 0, length: 0 })).toBeNull();
    const payload = treeNodeExpression({ label: 'Payload', field: 'tcp.payload', offset: 0, length: 3, value: 'deadbe' });
    expect(payload).toBe('tcp.payload == de:ad:be');
    valid(payload!);
  });

  it('address columns pick the field by the row family', () => {
    expect(cellExpression(row({}), 'src')).toBe('ip.src == 10.0.0.1');
    expect(cellExpression(row({}), 'dst')).toBe('ip.dst == 10.0.0.2');
    const v6 = row({ flags: PF_IP6, src: 'fe80::1', dst: 'FF02::1:2' });
    expect(cellExpression(v6, 'src')).toBe('ipv6.src == fe80::1');
    expect(cellExpression(v6, 'dst')).toBe('ipv6.dst == ff02::1:2');
    const arp = row({ flags: 0, src: '00:11:22:33:44:55', dst: 'ff:ff:ff:ff:ff:ff', protocol: 'ARP' });
    expect(cellExpression(arp, 'src')).toBe('eth.src == 00:11:22:33:44:55');
    expect(cellExpression(arp, 'protocol')).toBe('arp');
    expect(cellExpression(row({}), 'no')).toBe('frame.number == 7');
    expect(cellExpression(row({}), 'length')).toBe('frame.len == 60');
    expect(cellExpression(row({}), 'info')).toBeNull();
    expect(cellExpression(row({ protocol: 'Weird"Proto' }), 'protocol')).toBe('frame.protocols contains "weird\\"proto"');
    for (const c of ['src', 'dst', 'no', 'length', 'protocol'] as const) valid(cellExpression(row({}), c)!);
    valid(cellExpression(v6, 'src')!);
    expect(cellAddress(row({}), 'src')).toBe('10.0.0.1');
    expect(cellAddress(arp, 'src')).toBeNull();
    expect(cellAddress(row({}), 'info')).toBeNull();
    expect(addressFamily('1.2.3.4')).toBe('ipv4');
    expect(addressFamily('::1')).toBe('ipv6');
    expect(addressFamily('aa:bb:cc:dd:ee:ff')).toBe('ether');
    expect(addressFamily('300.1.1.1')).toBeNull();
  });

  it('combines with the current filter: replace, and, or, and not', () => {
    expect(combineFilter('tcp', 'ip.src == 1.2.3.4', 'replace')).toBe('ip.src == 1.2.3.4');
    expect(combineFilter('', 'ip.src == 1.2.3.4', 'and')).toBe('ip.src == 1.2.3.4');
    expect(combineFilter('', 'ip.src == 1.2.3.4', 'or')).toBe('ip.src == 1.2.3.4');
    expect(combineFilter('', 'ip.src == 1.2.3.4', 'and-not')).toBe('!(ip.src == 1.2.3.4)');
    expect(combineFilter('tcp', 'ip.src == 1.2.3.4', 'and')).toBe('tcp && ip.src == 1.2.3.4');
    expect(combineFilter('tcp || udp', 'ip.src == 1.2.3.4', 'and')).toBe('(tcp || udp) && ip.src == 1.2.3.4');
    expect(combineFilter('tcp || udp', 'dns', 'or')).toBe('(tcp || udp) || dns');
    expect(combineFilter('tcp && udp', 'dns', 'and-not')).toBe('(tcp && udp) && !dns');
    expect(combineFilter('(a == 1) && (b == 2)', 'tcp', 'and')).toBe('((a == 1) && (b == 2)) && tcp');
    // An operator inside a string literal does not force parentheses.
    expect(combineFilter('http.host == "a || b"', 'tcp', 'and')).toBe('http.host == "a || b" && tcp');
    for (const f of [
      combineFilter('tcp || udp', 'ip.src == 1.2.3.4', 'and'),
      combineFilter('tcp && udp', 'dns', 'and-not'),
      combineFilter('tcp.port == 80', 'ip.addr == 10.0.0.1', 'and-not'),
      combineFilter('!tcp', 'udp', 'or'),
    ]) valid(f);
  });
});
