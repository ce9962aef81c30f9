import { describe, expect, it } from 'vitest';
import { decodeUtf8, parseIpv4, parseIpv6, scan, utf8Bytes, type Token } from './scanner.js';

/** kind:text pairs, without the final eof. */
function kinds(text: string): string[] {
  return scan(text)
    .filter((t) => t.kind !== 'eof')
    .map((t) => `${t.kind}:${t.text}`);
}

function only(text: string): Token {
  const toks = scan(text);
  expect(toks).toHaveLength(2);
  return toks[0]!;
}

describe('scanner: tokens split as TShark 4.0 splits them', () => {
  it.each([
    ['ip.src == 10.0.0.1', ['word:ip.src', 'compare:==', 'word:10.0.0.1']],
    ['tcp.port==80&&udp', ['word:tcp.port', 'compare:==', 'word:80', 'and:&&', 'word:udp']],
    ['tcp.port ==== 1', ['word:tcp.port', 'compare:===', 'invalid:=', 'word:1']],
    ['a !== b', ['word:a', 'compare:!==', 'word:b']],
    ['a ~= b', ['word:a', 'compare:~=', 'word:b']],
    ['a ~ "x"', ['word:a', 'compare:~', 'string:"x"']],
    ['a eq b ne c', ['word:a', 'compare:eq', 'word:b', 'compare:ne', 'word:c']],
    ['eq80', ['word:eq80']],
    ['not(tcp)', ['not:not', 'lparen:(', 'word:tcp', 'rparen:)']],
    ['nottcp', ['word:nottcp']],
    ['!tcp || udp', ['not:!', 'word:tcp', 'or:||', 'word:udp']],
    ['tcp.port in {1..1024}', ['word:tcp.port', 'in:in', 'lbrace:{', 'word:1', 'dotdot:..', 'word:1024', 'rbrace:}']],
    ['ip.addr in {10.0.0.5..10.0.0.9}', ['word:ip.addr', 'in:in', 'lbrace:{', 'word:10.0.0.5', 'dotdot:..', 'word:10.0.0.9', 'rbrace:}']],
    ['x in {::1..::5}', ['word:x', 'in:in', 'lbrace:{', 'literal:::1', 'dotdot:..', 'literal:::5', 'rbrace:}']],
    ['aa:bb:cc', ['literal:aa:bb:cc']],
    ['aa:bb:c', ['literal:aa:bb', 'literal::c']],
    ['a:b:c', ['word:a', 'literal::b', 'literal::c']],
    ['abc:d', ['word:abc', 'literal::d']],
    ['aa-bb-cc', ['word:aa-bb-cc']],
    ['0011.2233.4455', ['word:0011.2233.4455']],
    ['10.0.0.0/8', ['literal:10.0.0.0/8']],
    ['10.0.0.0/x', ['word:10.0.0.0', 'arith:/', 'word:x']],
    ['1.2.3.4/244', ['literal:1.2.3.4/24', 'word:4']],
    ['2001:db8::/32', ['literal:2001:db8::/32']],
    ['2001:db8:::1', ['literal:2001:db8::', 'literal::1']],
    ['::ffff:1.2.3.4', ['literal:::ffff:1.2.3.4']],
    ['fe80::1%eth0', ['literal:fe80::1', 'arith:%', 'word:eth0']],
    ['1:2:3:4:5:6:7:8', ['literal:1:2:3:4:5:6:7:8']],
    ['0:1:2:3:4:5', ['word:0', 'literal::1', 'literal::2', 'literal::3', 'literal::4', 'literal::5']],
    [':ab', ['literal::ab']],
    ['a..b', ['word:a', 'dotdot:..', 'word:b']],
    ['5.', ['word:5', 'invalid:.']],
    ['-a', ['arith:-', 'word:a']],
    ['a-b', ['word:a-b']],
    ['tcp.flags & 0x02', ['word:tcp.flags', 'arith:&', 'word:0x02']],
    ['tcp.flags bitwise_and 2', ['word:tcp.flags', 'arith:bitwise_and', 'word:2']],
    ['ip.src ^^ ip.dst', ['word:ip.src', 'invalid:^', 'invalid:^', 'word:ip.dst']],
    ['any ip.addr == 1 or all x', ['any:any', 'word:ip.addr', 'compare:==', 'word:1', 'or:or', 'all:all', 'word:x']],
    ['a contains b matches c', ['word:a', 'compare:contains', 'word:b', 'compare:matches', 'word:c']],
    ['frame[0:4]', ['word:frame', 'lbracket:[', 'range:0:4', 'rbracket:]']],
    ['frame[0,2:3,-1]', ['word:frame', 'lbracket:[', 'range:0', 'comma:,', 'range:2:3', 'comma:,', 'range:-1', 'rbracket:]']],
    ['frame[ 0 ]', ['word:frame', 'lbracket:[', 'range: 0 ', 'rbracket:]']],
    ['frame[]', ['word:frame', 'lbracket:[', 'rbracket:]']],
    ['ip.ttl#2', ['word:ip.ttl', 'hash:#', 'layer:2']],
    ['ip.ttl#[1-2]', ['word:ip.ttl', 'hash:#', 'lbracket:[', 'range:1-2', 'rbracket:]']],
    ['a\t==\nb', ['word:a', 'compare:==', 'word:b']],
    ['@x', ['invalid:@', 'word:x']],
    ['é', ['invalid:é']],
  ])('%s', (text, want) => {
    expect(kinds(text)).toEqual(want);
  });

  it('records positions as UTF-16 offsets', () => {
    const toks = scan('http.host == "é" and x');
    expect(toks.map((t) => [t.start, t.end])).toEqual([
      [0, 9],
      [10, 12],
      [13, 16],
      [17, 20],
      [21, 22],
      [22, 22],
    ]);
  });

  it('maps operator spellings to Wireshark names', () => {
    const ops = scan('== eq any_eq != ne all_ne === all_eq !== any_ne ~= > gt >= ge < lt <= le contains matches ~').filter(
      (t) => t.kind === 'compare',
    );
    expect(ops.map((t) => t.op)).toEqual([
      'any_eq',
      'any_eq',
      'any_eq',
      'all_ne',
      'all_ne',
      'all_ne',
      'all_eq',
      'all_eq',
      'any_ne',
      'any_ne',
      'any_ne',
      'gt',
      'gt',
      'ge',
      'ge',
      'lt',
      'lt',
      'le',
      'le',
      'contains',
      'matches',
      'matches',
    ]);
    expect(ops.find((t) => t.text === '~=')!.deprecated).toBe(true);
  });
});

describe('scanner: strings', () => {
  it.each([
    ['"abc"', 'abc'],
    ['"a\\"b"', 'a"b'],
    ['"a\\\\b"', 'a\\b'],
    ['"\\x41\\x4"', 'A\x04'],
    ['"\\101\\0"', 'A\x00'],
    ['"\\a\\b\\f\\n\\r\\t\\v\\\'"', "\x07\x08\x0c\n\r\t\x0b'"],
    ['"\\u00e9"', '\xc3\xa9'],
    ['"\\U0001F600"', '\xf0\x9f\x98\x80'],
    ['"é"', '\xc3\xa9'],
    ['r"a\\b"', 'a\\b'],
    ['r"a\\"b"', 'a\\"b'],
    ['R"\\d+"', '\\d+'],
    ['""', ''],
  ])('%s', (text, bytes) => {
    const t = only(text);
    expect(t.kind).toBe('string');
    expect(t.bytes).toBe(bytes);
    expect(t.raw).toBe(/^[rR]/.test(text));
  });

  it.each([
    ['http.host == "abc', 'The final quote was missing from a quoted string.', 17, 0],
    ['"a\\qb"', '\\q is not a valid character escape sequence', 2, 2],
    ['"\\400"', '\\400 is larger than 255.', 1, 4],
    ['"\\x"', '\\x is not a valid character escape sequence', 1, 2],
    ['"\\uD800"', '\\uD800 is not a valid universal character name', 1, 6],
    ['"\\u12"', '\\u12 is not a valid universal character name', 1, 4],
    ['r"a\\"', 'The final quote was missing from a quoted string.', 5, 0],
  ])('%s is a scan error', (text, message, start, length) => {
    const t = scan(text).find((x) => x.kind === 'error')!;
    expect(t.error).toEqual({ message, start, length });
  });
});

describe('scanner: character constants', () => {
  it.each([
    ["'a'", 97],
    ["' '", 32],
    ["'\\x41'", 0x41],
    ["'\\x4'", 4],
    ["'\\101'", 0o101],
    ["'\\0'", 0],
    ["'\\\\'", 92],
    ["'\\''", 39],
    ["'\\\"'", 34],
    ["'\\t'", 9],
    ["'\\r'", 13],
  ])('%s', (text, value) => {
    const t = only(text);
    expect(t.kind).toBe('char');
    expect(t.value).toBe(value);
  });

  it.each([
    ["''", 'Empty character constant.'],
    ["'ab'", "'ab' is too long to be a valid character constant."],
    ["'\\x'", "'\\x' isn't a valid character constant."],
    ["'\\x414'", "'\\x414' is too long to be a valid character constant."],
    ["'\\400'", "'\\400' is too large to be a valid character constant."],
    ["'\\q'", "'\\q' isn't a valid character constant."],
    ["'\\n'", "'\\n' is too long to be a valid character constant."],
    ["'é'", "Non-printable value '0xe9' in character constant."],
    ["'P", 'The final quote was missing from a character constant.'],
  ])('%s is a scan error', (text, message) => {
    expect(scan(text).find((x) => x.kind === 'error')!.error!.message).toBe(message);
  });
});

describe('scanner: other scan errors', () => {
  it.each([
    ['frame[0:1', 'The right bracket was missing from a slice.'],
    ['ip.ttl#x', 'Expected digit or "[", not "x"'],
    ['ip.ttl#', 'The layer number or range was missing.'],
    ['${ip.src} == 1', "macro 'ip.src' does not exist"],
  ])('%s', (text, message) => {
    expect(scan(text).find((x) => x.kind === 'error')!.error!.message).toBe(message);
  });

  it('stops at a scan error and ends with eof', () => {
    expect(kinds('a == "x').map((k) => k.split(':')[0])).toEqual(['word', 'compare', 'error']);
    expect(scan('a == "x').at(-1)!.kind).toBe('eof');
  });
});

describe('address parsers', () => {
  it.each([
    ['10.0.0.1', 0x0a000001],
    ['255.255.255.255', 0xffffffff],
    ['0.0.0.0', 0],
    ['010.0.0.1', null],
    ['256.1.1.1', null],
    ['1.2.3', null],
    ['1.2.3.4.5', null],
    ['1.2.3.x', null],
  ])('parseIpv4(%s)', (text, want) => {
    expect(parseIpv4(text)).toBe(want);
  });

  const hex = (b: Uint8Array | null): string | null => (b === null ? null : [...b].map((x) => x.toString(16).padStart(2, '0')).join(''));
  it.each([
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['2001:db8::', '20010db8000000000000000000000000'],
    ['2001:DB8::8:800:200C:417A', '20010db80000000000080800200c417a'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
    ['::ffff:1.2.3.4', '00000000000000000000ffff01020304'],
    ['::1.2.3.4', '00000000000000000000000001020304'],
    ['64:ff9b::192.0.2.33', '0064ff9b0000000000000000c0000221'],
    ['1::2::3', null],
    [':::', null],
    ['1:2:3:4:5:6:7', null],
    ['1:2:3:4:5:6:7:8:9', null],
    ['12345::', null],
    [':1::', null],
    ['::1.2.3', null],
    ['g::', null],
  ])('parseIpv6(%s)', (text, want) => {
    expect(hex(parseIpv6(text))).toBe(want);
  });
});

describe('UTF-8', () => {
  it.each(['abc', 'é', '€', '😀', 'a\u0000b'])('round-trips %s', (s) => {
    expect(decodeUtf8(utf8Bytes(s))).toBe(s);
  });
  it.each([
    ['\xff', '\ufffd'],
    ['a\xc3', 'a\ufffd'],
    ['\xc0\x80', '\ufffd\ufffd'],
    ['\xed\xa0\x80', '\ufffd\ufffd\ufffd'],
    ['\xf4\x90\x80\x80', '\ufffd\ufffd\ufffd\ufffd'],
  ])('decodes invalid bytes %j to U+FFFD', (bytes, want) => {
    expect(decodeUtf8(bytes)).toBe(want);
  });
});
