// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { checkFilter } from '../../../shared/filter/index.js';
import { addrFilter, addrKind, conversationFilter, numberFilter, portFilter, quoteFilterString, stringFilter } from './filters.js';
import { bucketFilter } from './io-model.js';

describe('filter text from captured values', () => {
  it('quotes strings as Wireshark literals', () => {
    expect(quoteFilterString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteFilterString('x\ny\x7f')).toBe('"x\\x0ay\\x7f"');
    expect(quoteFilterString('例子.cn')).toBe('"例子.cn"');
  });

  it('only builds address filters for addresses', () => {
    expect(addrFilter('10.0.0.1')).toBe('ip.addr == 10.0.0.1');
    expect(addrFilter('fe80::1')).toBe('ipv6.addr == fe80::1');
    expect(addrFilter('00-11-22-33-44-55')).toBe('eth.addr == 00:11:22:33:44:55');
    expect(addrFilter('300.1.1.1')).toBeNull();
    expect(addrFilter('1.2.3.4 || 1')).toBeNull();
    expect(addrKind('example.com')).toBeNull();
  });

  it('builds port, number and conversation filters', () => {
    expect(portFilter('tcp', 443)).toBe('tcp.port == 443');
    expect(portFilter('icmp', 0)).toBeNull();
    expect(portFilter('udp', 70000)).toBeNull();
    expect(numberFilter('http.response.code', 200)).toBe('http.response.code == 200');
    expect(numberFilter('x', null)).toBeNull();
    expect(conversationFilter('tcp', '10.0.0.1', 1234, '10.0.0.2', 80)).toBe('ip.addr == 10.0.0.1 && tcp.port == 1234 && ip.addr == 10.0.0.2 && tcp.port == 80');
  });

  it('produces filters the shared front end accepts', () => {
    const texts = [
      stringFilter('http.host', 'evil"host\\\n<script>'),
      stringFilter('dns.qry.name', 'a.example'),
      conversationFilter('udp', 'fe80::1', 53, 'fe80::2', 5353)!,
      addrFilter('aa:bb:cc:dd:ee:ff')!,
      bucketFilter(1000, 0.01, 3, 1000.004),
      bucketFilter(1000, 1, 0, 1000.5),
      'tcp.stream eq 7',
    ];
    for (const t of texts) expect(checkFilter(t).diagnostics, t).toEqual([]);
  });
});
