import { describe, expect, it } from 'vitest';
import { parseFilter } from './parser.js';
import { sx } from './test-helpers.js';

function tree(text: string): string {
  const r = parseFilter(text);
  expect(r.diagnostics).toEqual([]);
  return sx(r.ast);
}

describe('parser: empty filter', () => {
  it.each(['', '   ', '\t\n'])('%j matches everything (ast null, no diagnostics)', (text) => {
    expect(parseFilter(text)).toEqual({ ast: null, diagnostics: [], warnings: [] });
  });
});

describe('parser: logic and precedence', () => {
  it.each([
    ['tcp', '(test tcp)'],
    ['not arp', '(not (test arp))'],
    ['!udp', '(not (test udp))'],
    ['not not tcp', '(not (not (test tcp)))'],
    ['!!tcp', '(not (not (test tcp)))'],
    ['not(tcp)', '(not (test tcp))'],
    ['tcp and udp', '(and (test tcp) (test udp))'],
    ['tcp && udp', '(and (test tcp) (test udp))'],
    ['tcp or udp', '(or (test tcp) (test udp))'],
    ['tcp || udp', '(or (test tcp) (test udp))'],
    ['tcp or udp and ip', '(or (test tcp) (and (test udp) (test ip)))'],
    ['tcp and udp or ip', '(or (and (test tcp) (test udp)) (test ip))'],
    ['a or b or c', '(or (or (test a) (test b)) (test c))'],
    ['a and b and c', '(and (and (test a) (test b)) (test c))'],
    ['(tcp or udp) and ip', '(and (or (test tcp) (test udp)) (test ip))'],
    ['((tcp))', '(test tcp)'],
    ['not tcp and udp', '(and (not (test tcp)) (test udp))'],
    ['not (tcp and udp)', '(not (and (test tcp) (test udp)))'],
    ['not ip.src == 10.0.0.1', '(not (any_eq ip.src 10.0.0.1))'],
  ])('%s', (text, want) => {
    expect(tree(text)).toBe(want);
  });
});

describe('parser: comparison operators', () => {
  it.each([
    ['a == b', '(any_eq a b)'],
    ['a eq b', '(any_eq a b)'],
    ['a any_eq b', '(any_eq a b)'],
    ['a != b', '(all_ne a b)'],
    ['a ne b', '(all_ne a b)'],
    ['a all_ne b', '(all_ne a b)'],
    ['a === b', '(all_eq a b)'],
    ['a all_eq b', '(all_eq a b)'],
    ['a !== b', '(any_ne a b)'],
    ['a any_ne b', '(any_ne a b)'],
    ['a ~= b', '(any_ne a b)'],
    ['a > b', '(gt a b)'],
    ['a gt b', '(gt a b)'],
    ['a >= b', '(ge a b)'],
    ['a ge b', '(ge a b)'],
    ['a < b', '(lt a b)'],
    ['a lt b', '(lt a b)'],
    ['a <= b', '(le a b)'],
    ['a le b', '(le a b)'],
    ['a contains "x"', '(contains a "x")'],
    ['a matches "x"', '(matches a "x")'],
    ['a ~ "x"', '(matches a "x")'],
    ['any ip.addr == 1.2.3.4', '(any:any_eq ip.addr 1.2.3.4)'],
    ['all ip.addr == 1.2.3.4', '(all:any_eq ip.addr 1.2.3.4)'],
    ['all http.host contains "x"', '(all:contains http.host "x")'],
    ['not all ip.addr == 1.2.3.4', '(not (all:any_eq ip.addr 1.2.3.4))'],
  ])('%s', (text, want) => {
    expect(tree(text)).toBe(want);
  });

  it('keeps the operator as typed and its position', () => {
    const e = parseFilter('ip.src eq 1.2.3.4').ast!;
    expect(e).toMatchObject({ kind: 'compare', op: 'any_eq', opText: 'eq', opSpan: { start: 7, end: 9 }, start: 0, end: 17 });
  });

  it('warns about the deprecated ~=', () => {
    const r = parseFilter('ip.addr ~= 1.2.3.4');
    expect(r.diagnostics).toEqual([]);
    expect(r.warnings).toEqual([{ message: '"~=" is deprecated.', start: 8, length: 2, hint: 'Use "!==" (any_ne).' }]);
  });

  it.each([
    ['a == b == c', '(and (any_eq a b) (any_eq b c))'],
    ['a < b <= c < d', '(and (and (lt a b) (le b c)) (lt c d))'],
    ['all a == b == c', '(and (all:any_eq a b) (all:any_eq b c))'],
  ])('chain %s reads as pairwise and', (text, want) => {
    expect(tree(text)).toBe(want);
  });
});

describe('parser: operands', () => {
  it.each([
    ['x == 10.0.0.0/8', '(any_eq x lit:10.0.0.0/8)'],
    ['x == aa:bb:cc', '(any_eq x lit:aa:bb:cc)'],
    ['x == 2001:db8::1', '(any_eq x lit:2001:db8::1)'],
    ['x == :ab', '(any_eq x lit::ab)'],
    ['x == aa-bb', '(any_eq x aa-bb)'],
    ['x == "a\\x41"', '(any_eq x "aA")'],
    ['x == r"\\d"', '(any_eq x r"\\\\d")'],
    ["x == 'a'", '(any_eq x char:97)'],
    ['x == -1', '(any_eq x (- 1))'],
    ['x == +1', '(any_eq x 1)'],
    ['x == - 1', '(any_eq x (- 1))'],
    ['eth.src[0:3] == 00:11:22', '(any_eq eth.src[0:3] lit:00:11:22)'],
    ['eth.src[1-3] == x', '(any_eq eth.src[1:3] x)'],
    ['eth.src[:2] == x', '(any_eq eth.src[0:2] x)'],
    ['eth.src[2:] == x', '(any_eq eth.src[2:] x)'],
    ['eth.src[-1] == x', '(any_eq eth.src[-1:1] x)'],
    ['eth.src[-3--1] == x', '(any_eq eth.src[-3:3] x)'],
    ['eth.src[0,2:3,4-5] == x', '(any_eq eth.src[0:1,2:3,4:2] x)'],
    ['eth.src[ 0 : 2 ] == x', '(any_eq eth.src[0:2] x)'],
    ['eth.src[0][0] == x', '(any_eq eth.src[0:1][0:1] x)'],
    ['frame[100]', '(test frame[100:1])'],
    ['len(x) == 1', '(any_eq len(x) 1)'],
    ['max(a, b) == 1', '(any_eq max(a b) 1)'],
    ['f() == 1', '(any_eq f() 1)'],
    ['tcp.flags & 0x02', '(test (& tcp.flags 0x02))'],
    ['tcp.flags bitwise_and 0x02', '(test (& tcp.flags 0x02))'],
    ['tcp.flags & 0x12 == 0x12', '(any_eq (& tcp.flags 0x12) 0x12)'],
    ['a + b * c == d', '(any_eq (+ a (* b c)) d)'],
    ['a & b + c', '(test (& a (+ b c)))'],
    ['{a + b} * c == d', '(any_eq (* (+ a b) c) d)'],
    ['-frame.len < 0', '(lt (- frame.len) 0)'],
    ['ip.ttl#2 == 64', '(any_eq ip.ttl#2:1 64)'],
    ['ip.ttl#[1-2] == 64', '(any_eq ip.ttl#1:2 64)'],
  ])('%s', (text, want) => {
    expect(tree(text)).toBe(want);
  });
});

describe('parser: membership', () => {
  it.each([
    ['tcp.port in {80, 443, 8080}', '(in tcp.port {80 443 8080})'],
    ['tcp.port in {80,443}', '(in tcp.port {80 443})'],
    ['tcp.port in{80}', '(in tcp.port {80})'],
    ['tcp.port in {1..1024}', '(in tcp.port {1..1024})'],
    ['tcp.port in {1 .. 1024, 8080}', '(in tcp.port {1..1024 8080})'],
    ['x in {-2..-1, +3}', '(in x {(- 2)..(- 1) 3})'],
    ['tcp.port not in {80}', '(not (in tcp.port {80}))'],
    ['tcp.port ! in {80}', '(not (in tcp.port {80}))'],
    ['all tcp.port in {80}', '(all:in tcp.port {80})'],
    ['all tcp.port not in {80}', '(not (all:in tcp.port {80}))'],
    ['x in {"a", b, 1.2.3.4/8}', '(in x {"a" b lit:1.2.3.4/8})'],
  ])('%s', (text, want) => {
    expect(tree(text)).toBe(want);
  });
});

describe('parser: syntax errors (TShark 4.0 wording and position)', () => {
  it.each([
    ['ip.src ==', 'Unexpected end of filter expression.', 9, 0],
    ['tcp and', 'Unexpected end of filter expression.', 7, 0],
    ['(tcp', 'Unexpected end of filter expression.', 4, 0],
    ['all ip.addr', 'Unexpected end of filter expression.', 11, 0],
    ['tcp.port in {80, 443', 'Unexpected end of filter expression.', 20, 0],
    ['== 1', '"==" was unexpected in this context.', 0, 2],
    ['and tcp', '"and" was unexpected in this context.', 0, 3],
    ['tcp tcp', '"tcp" was unexpected in this context.', 4, 3],
    ['tcp )', '")" was unexpected in this context.', 4, 1],
    ['ip.src == 1.2.3.4)', '")" was unexpected in this context.', 17, 1],
    ['()', '")" was unexpected in this context.', 1, 1],
    ['tcp.port ==== 1', '"=" was unexpected in this context.', 12, 1],
    ['tcp.port = 1', '"=" was unexpected in this context.', 9, 1],
    ['tcp.port !! 1', '"!" was unexpected in this context.', 10, 1],
    ['tcp.port == 1 | tcp', '"|" was unexpected in this context.', 14, 1],
    ['tcp.port eq80', '"eq80" was unexpected in this context.', 9, 4],
    ['tcp.porteq 80', '"80" was unexpected in this context.', 11, 2],
    ['tcp.port in {}', '"}" was unexpected in this context.', 13, 1],
    ['tcp.port in {80 443}', '"443" was unexpected in this context.', 16, 3],
    ['tcp.port in {80..90,}', '"}" was unexpected in this context.', 20, 1],
    ['tcp.port in {,80}', '"," was unexpected in this context.', 13, 1],
    ['tcp.port in {..80}', '".." was unexpected in this context.', 13, 2],
    ['tcp.port in 80', '"80" was unexpected in this context.', 12, 2],
    ['tcp.port not {80}', '"{" was unexpected in this context.', 13, 1],
    ['x in {"GET" "POST"}', '""POST"" was unexpected in this context.', 12, 6],
    ['ip.src xor ip.dst', '"xor" was unexpected in this context.', 7, 3],
    ['ip.src ^^ ip.dst', '"^" was unexpected in this context.', 7, 1],
    ['any all ip.addr == 1', '"all" was unexpected in this context.', 4, 3],
    ['all (ip.addr == 1)', '"(" was unexpected in this context.', 4, 1],
    ['all not ip.addr == 1', '"not" was unexpected in this context.', 4, 3],
    ['tcp.flags & 2 in {2}', '"in" was unexpected in this context.', 14, 2],
    ['tcp.flags & 2 contains 2', '"contains" was unexpected in this context.', 14, 8],
    ['x == --1', '"-" was unexpected in this context.', 6, 1],
    ['x == 80 // c', '"/" was unexpected in this context.', 9, 1],
    ['@x == aa', '"@" was unexpected in this context.', 0, 1],
    ['ip.addr == 10.0.0.0/', 'Unexpected end of filter expression.', 20, 0],
    ['x == 1.2.3.4/24x', '"x" was unexpected in this context.', 15, 1],
    ['x == aa:bb:c', '":c" was unexpected in this context.', 10, 2],
    ['x == aa:bb:', '":" was unexpected in this context.', 10, 1],
    ['x matches "a" "b"', '""b"" was unexpected in this context.', 14, 3],
    ['x == 1.', '"." was unexpected in this context.', 6, 1],
    ['frame[] == 1', '"]" was unexpected in this context.', 6, 1],
    ['eth.src[0,] == 00', '"]" was unexpected in this context.', 10, 1],
    ['x == "abc', 'The final quote was missing from a quoted string.', 9, 0],
    ['frame[0:1', 'The right bracket was missing from a slice.', 9, 0],
    ['frame[x] == 1', '"x" is not a valid number.', 6, 1],
    ['frame[0-x] == 1', '"0-x" is not a valid range.', 6, 3],
    ['eth.src[1:2:3] == 00', '"1:2:3" is not a valid range.', 8, 5],
    ['eth.src[1-] == 00', '"1-" is not a valid range.', 8, 2],
    ['eth.src[0:0] == 00', "Range 0:0 isn't valid because length 0 isn't positive", 8, 3],
    ['eth.src[:0] == 00', "Range :0 isn't valid because length 0 isn't positive", 8, 2],
    ['frame[1:-1] == 1', "Range 1:-1 isn't valid because length -1 isn't positive", 6, 4],
    ['eth.src[5-3] == 00', "Range 5-3 isn't valid because 5 is greater or equal than 3", 8, 3],
    ['eth.src[2-2] == 00', "Range 2-2 isn't valid because 2 is greater or equal than 2", 8, 3],
    ['eth.src[-2-1] == 00', "Range -2-1 isn't valid because -2 and 1 have different signs", 8, 4],
    ['eth.src[99999999999] == 00', '"99999999999" causes an integer overflow.', 8, 11],
    ['ip.ttl#x == 1', 'Expected digit or "[", not "x"', 7, 1],
    ['${ip.src} == 1', "macro 'ip.src' does not exist", 0, 9],
  ])('%s', (text, message, start, length) => {
    const r = parseFilter(text);
    expect(r.ast).toBeNull();
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ message, start, length });
  });

  it('reports the earlier syntax error before a later scan error', () => {
    expect(parseFilter('tcp tcp "abc').diagnostics[0]!.message).toBe('"tcp" was unexpected in this context.');
  });
});
