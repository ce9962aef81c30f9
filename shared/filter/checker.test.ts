import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckedExpr } from './ast.js';
import { checkFilter, type CheckOptions } from './checker.js';
import { formatDiagnostic } from './diagnostics.js';
import { fixedTimeZone, utcTimeZone } from './time.js';
import { FILTER_CASES } from './filters.fixture.js';
import { stripPositions } from './test-helpers.js';

function ok(text: string, opts: CheckOptions = {}): CheckedExpr {
  const r = checkFilter(text, { tz: utcTimeZone, ...opts });
  expect(r.diagnostics).toEqual([]);
  expect(r.ast).not.toBeNull();
  return stripPositions(r.ast!);
}

function err(text: string, opts: CheckOptions = {}): { message: string; start: number; length: number; hint?: string } {
  const r = checkFilter(text, { tz: utcTimeZone, ...opts });
  expect(r.ast).toBeNull();
  expect(r.diagnostics.length).toBeGreaterThan(0);
  return r.diagnostics[0]!;
}

const field = (name: string, fieldType: string, valueType: string, multi = true, eitherSide?: string[]) =>
  eitherSide ? { kind: 'field', name, fieldType, valueType, multi, eitherSide } : { kind: 'field', name, fieldType, valueType, multi };

describe('checker: empty filter', () => {
  it.each(['', '  '])('%j → ast null, no diagnostics', (text) => {
    expect(checkFilter(text)).toEqual({ ast: null, diagnostics: [], warnings: [] });
  });
});

describe('checker: presence', () => {
  it.each([
    ['tcp', field('tcp', 'protocol', 'bytes')],
    ['frame', field('frame', 'protocol', 'bytes', false)],
    ['tcp.flags.syn', field('tcp.flags.syn', 'bool', 'bool')],
    ['tcp.analysis.retransmission', field('tcp.analysis.retransmission', 'none', 'none')],
    ['ip.addr', field('ip.addr', 'ipv4', 'ipv4', true, ['ip.src', 'ip.dst'])],
  ])('%s', (text, value) => {
    expect(ok(text)).toEqual({ kind: 'exists', value });
  });

  it('eth.src[5] is a slice presence test', () => {
    expect(ok('eth.src[5]')).toEqual({
      kind: 'exists',
      value: { kind: 'slice', valueType: 'bytes', of: field('eth.src', 'ether', 'ether'), ranges: [{ offset: 5, length: 1 }] },
    });
  });

  it('tcp.flags & 0x02 is a non-zero test', () => {
    expect(ok('tcp.flags & 0x02')).toEqual({
      kind: 'nonzero',
      value: {
        kind: 'bitand',
        valueType: 'integer',
        value: field('tcp.flags', 'uint', 'integer'),
        mask: { kind: 'integer', value: 2, text: '0x02' },
      },
    });
  });

  it('not / and / or keep their shape', () => {
    expect(ok('not tcp and (udp or ip)')).toMatchObject({
      kind: 'and',
      left: { kind: 'not', operand: { kind: 'exists' } },
      right: { kind: 'or', left: { kind: 'exists' }, right: { kind: 'exists' } },
    });
  });
});

describe('checker: operators map to (op, quantifier)', () => {
  it.each([
    ['ip.addr == 10.0.0.1', 'eq', 'any'],
    ['ip.addr eq 10.0.0.1', 'eq', 'any'],
    ['ip.addr != 10.0.0.1', 'ne', 'all'],
    ['ip.addr ne 10.0.0.1', 'ne', 'all'],
    ['ip.addr === 10.0.0.1', 'eq', 'all'],
    ['ip.addr !== 10.0.0.1', 'ne', 'any'],
    ['ip.addr ~= 10.0.0.1', 'ne', 'any'],
    ['ip.addr > 10.0.0.1', 'gt', 'any'],
    ['ip.addr >= 10.0.0.1', 'ge', 'any'],
    ['ip.addr < 10.0.0.1', 'lt', 'any'],
    ['ip.addr <= 10.0.0.1', 'le', 'any'],
    ['all ip.addr == 10.0.0.1', 'eq', 'all'],
    ['any ip.addr != 10.0.0.1', 'ne', 'any'],
    ['all ip.addr > 10.0.0.1', 'gt', 'all'],
  ])('%s', (text, op, quantifier) => {
    expect(ok(text)).toMatchObject({ kind: 'compare', op, quantifier, domain: 'ipv4' });
  });

  it('contains, matches and in default to any and take all', () => {
    expect(ok('http.host contains "x"')).toMatchObject({ kind: 'contains', quantifier: 'any' });
    expect(ok('all http.host contains "x"')).toMatchObject({ kind: 'contains', quantifier: 'all' });
    expect(ok('http.host matches "x"')).toMatchObject({ kind: 'matches', quantifier: 'any' });
    expect(ok('all udp.port in {53}')).toMatchObject({ kind: 'in', quantifier: 'all' });
    expect(ok('udp.port not in {53}')).toMatchObject({ kind: 'not', operand: { kind: 'in', quantifier: 'any' } });
  });

  it('a == b == c checks as a == b and b == c', () => {
    expect(ok('ip.addr == ip.src == ip.dst')).toMatchObject({
      kind: 'and',
      left: { kind: 'compare', left: { name: 'ip.addr' }, right: { name: 'ip.src' } },
      right: { kind: 'compare', left: { name: 'ip.src' }, right: { name: 'ip.dst' } },
    });
  });
});

describe('checker: literals are typed for the field', () => {
  const right = (text: string): unknown => (ok(text) as { right: unknown }).right;
  it.each([
    ['frame.len == 74', { kind: 'integer', value: 74, text: '74' }],
    ['frame.len == 0x4a', { kind: 'integer', value: 74, text: '0x4a' }],
    ['frame.len == 0112', { kind: 'integer', value: 74, text: '0112' }],
    ['frame.len == 0b1001010', { kind: 'integer', value: 74, text: '0b1001010' }],
    ["frame.len == 'J'", { kind: 'integer', value: 74, text: "'J'" }],
    ['frame.encap_type == -1', { kind: 'integer', value: -1, text: '-1' }],
    ['tcp.seq == 4294967295', { kind: 'integer', value: 4294967295, text: '4294967295' }],
    ['frame.file_off == 9007199254740993', { kind: 'integer', value: 9007199254740993n, text: '9007199254740993' }],
    ['ip.proto == UDP', { kind: 'integer', value: 17, text: 'UDP' }],
    ['ip.proto == "udp"', { kind: 'integer', value: 17, text: '"udp"' }],
    ['arp.opcode == "reverse request"', { kind: 'integer', value: 3, text: '"reverse request"' }],
    ['tcp.flags.syn == 1', { kind: 'bool', value: true, text: '1' }],
    ['tcp.flags.syn == 2', { kind: 'bool', value: true, text: '2' }],
    ['tcp.flags.syn == 0', { kind: 'bool', value: false, text: '0' }],
    ['tcp.flags.syn == True', { kind: 'bool', value: true, text: 'True' }],
    ['tcp.flags.syn == FALSE', { kind: 'bool', value: false, text: 'FALSE' }],
    ['tcp.flags.syn == Set', { kind: 'bool', value: true, text: 'Set' }],
    ['tcp.flags.syn == "not set"', { kind: 'bool', value: false, text: '"not set"' }],
    ['frame.marked == tRuE', { kind: 'bool', value: true, text: 'tRuE' }],
    ['ip.geoip.lat == -1.5', { kind: 'float', value: -1.5, text: '-1.5' }],
    ['ip.geoip.lat == 1e3', { kind: 'float', value: 1000, text: '1e3' }],
    ['http.host == "a\\"b"', { kind: 'string', value: 'a"b', bytes: 'a"b', text: '"a\\"b"' }],
    ['http.host == "\\x41\\101\\n"', { kind: 'string', value: 'AA\n', bytes: 'AA\n', text: '"\\x41\\101\\n"' }],
    ['http.host == "é"', { kind: 'string', value: 'é', bytes: '\xc3\xa9', text: '"é"' }],
    ['http.host == GET', { kind: 'string', value: 'GET', bytes: 'GET', text: 'GET' }],
    ['http.host == 67:69', { kind: 'string', value: '67:69', bytes: '67:69', text: '67:69' }],
    ["http.host == 'a'", { kind: 'string', value: 'a', bytes: 'a', text: "'a'" }],
    ['udp.payload == aa:bb:cc', { kind: 'bytes', hex: 'aabbcc', text: 'aa:bb:cc' }],
    ['udp.payload == aa-bb-cc', { kind: 'bytes', hex: 'aabbcc', text: 'aa-bb-cc' }],
    ['udp.payload == aa.bb.cc', { kind: 'bytes', hex: 'aabbcc', text: 'aa.bb.cc' }],
    ['udp.payload == AABBCC', { kind: 'bytes', hex: 'aabbcc', text: 'AABBCC' }],
    ['udp.payload == aab', { kind: 'bytes', hex: '0aab', text: 'aab' }],
    ['udp.payload == 0xaa', { kind: 'bytes', hex: 'aa', text: '0xaa' }],
    ['udp.payload == "GET"', { kind: 'bytes', hex: '474554', text: '"GET"' }],
    ['udp.payload == "\\xff"', { kind: 'bytes', hex: 'ff', text: '"\\xff"' }],
    ['udp.payload == ""', { kind: 'bytes', hex: '', text: '""' }],
    ['ip == 45', { kind: 'bytes', hex: '45', text: '45' }],
    ['eth.src == 00:1f:5b:ff:51:cb', { kind: 'ether', hex: '001f5bff51cb', value: 0x001f5bff51cb, text: '00:1f:5b:ff:51:cb' }],
    ['eth.src == 00-1F-5B-FF-51-CB', { kind: 'ether', hex: '001f5bff51cb', value: 0x001f5bff51cb, text: '00-1F-5B-FF-51-CB' }],
    ['eth.src == 001f.5bff.51cb', { kind: 'ether', hex: '001f5bff51cb', value: 0x001f5bff51cb, text: '001f.5bff.51cb' }],
    ['eth.src == 001f5bff51cb', { kind: 'ether', hex: '001f5bff51cb', value: 0x001f5bff51cb, text: '001f5bff51cb' }],
    ['ip.src == 10.0.0.1', { kind: 'ipv4', addr: 0x0a000001, prefix: 32, text: '10.0.0.1' }],
    ['ip.src == 10.0.0.0/8', { kind: 'ipv4', addr: 0x0a000000, prefix: 8, text: '10.0.0.0/8' }],
    ['ip.src == 10.1.2.3/16', { kind: 'ipv4', addr: 0x0a010203, prefix: 16, text: '10.1.2.3/16' }],
    ['ipv6.src == ::1', { kind: 'ipv6', hex: '00000000000000000000000000000001', prefix: 128, text: '::1' }],
    ['ipv6.src == 2001:db8::/32', { kind: 'ipv6', hex: '20010db8000000000000000000000000', prefix: 32, text: '2001:db8::/32' }],
    ['frame.time == "2026-11-27 10:00:00"', { kind: 'time', sec: 1795773600, nsec: 0, text: '"2026-11-27 10:00:00"' }],
    ['frame.time == "Nov 27, 2026 10:00:00.25"', { kind: 'time', sec: 1795773600, nsec: 250000000, text: '"Nov 27, 2026 10:00:00.25"' }],
    ['frame.time == 2026-11-27', { kind: 'time', sec: 1795737600, nsec: 0, text: '2026-11-27' }],
    ['frame.time_relative > 5', { kind: 'reltime', sec: 5, nsec: 0, text: '5' }],
    ['frame.time_delta < 0.5', { kind: 'reltime', sec: 0, nsec: 500000000, text: '0.5' }],
    ['frame.time_delta > -0.25', { kind: 'reltime', sec: -1, nsec: 750000000, text: '-0.25' }],
    ['frame.time_epoch > 1700000000.000000001', { kind: 'reltime', sec: 1700000000, nsec: 1, text: '1700000000.000000001' }],
  ])('%s', (text, lit) => {
    expect(right(text)).toEqual(lit);
  });

  it('reads absolute times in the injected time zone', () => {
    const r = checkFilter('frame.time >= "2026-11-27 10:00:00"', { tz: fixedTimeZone(60) });
    expect(r.ast).toMatchObject({ right: { kind: 'time', sec: 1795773600 - 3600, nsec: 0 } });
  });

  it('uses JS local time when no time zone is given', () => {
    const r = checkFilter('frame.time >= "2026-11-27 10:00:00"');
    expect(r.ast).toMatchObject({ right: { kind: 'time', sec: new Date(2026, 10, 27, 10, 0, 0).getTime() / 1000 } });
  });

  it('types set members and ranges for the field', () => {
    expect(ok('ip.addr in {10.0.0.0/8, 192.168.1.1..192.168.1.9}')).toEqual({
      kind: 'in',
      quantifier: 'any',
      operand: field('ip.addr', 'ipv4', 'ipv4', true, ['ip.src', 'ip.dst']),
      members: [
        { kind: 'ipv4', addr: 0x0a000000, prefix: 8, text: '10.0.0.0/8' },
        {
          kind: 'range',
          low: { kind: 'ipv4', addr: 0xc0a80101, prefix: 32, text: '192.168.1.1' },
          high: { kind: 'ipv4', addr: 0xc0a80109, prefix: 32, text: '192.168.1.9' },
        },
      ],
    });
  });
});

describe('checker: values', () => {
  it('field vs field compares in a common domain', () => {
    expect(ok('ip.src == ip.dst')).toMatchObject({ domain: 'ipv4', right: { kind: 'field', name: 'ip.dst' } });
    expect(ok('frame.number == frame.len')).toMatchObject({ domain: 'integer' });
    expect(ok('ip.ttl == ip.flags.df')).toMatchObject({ domain: 'integer' });
    expect(ok('tcp.flags.syn == tcp.flags.ack')).toMatchObject({ domain: 'bool' });
    expect(ok('eth.src == eth.dst')).toMatchObject({ domain: 'ether' });
    expect(ok('eth.src == udp.payload')).toMatchObject({ domain: 'bytes' });
    expect(ok('eth.src[0:6] == eth.dst')).toMatchObject({ domain: 'bytes' });
    expect(ok('ip == tcp')).toMatchObject({ domain: 'bytes' });
    expect(ok('http.host == dns.qry.name')).toMatchObject({ domain: 'string' });
  });

  it('slices normalise every range syntax', () => {
    expect(ok('eth.src[0,1-2,:2,3:,-1] == 00')).toMatchObject({
      left: {
        kind: 'slice',
        ranges: [
          { offset: 0, length: 1 },
          { offset: 1, length: 2 },
          { offset: 0, length: 2 },
          { offset: 3, length: null },
          { offset: -1, length: 1 },
        ],
      },
      right: { kind: 'bytes', hex: '00' },
    });
    expect(ok('dns.qry.name[0:3] == "www"')).toMatchObject({ left: { kind: 'slice' }, right: { kind: 'bytes', hex: '777777' } });
    expect(ok('eth.src[0][0] == 00')).toMatchObject({ left: { kind: 'slice', of: { kind: 'slice', of: { kind: 'field' } } } });
  });

  it('functions', () => {
    expect(ok('len(dns.qry.name) == 14')).toMatchObject({
      left: { kind: 'function', name: 'len', valueType: 'integer', arg: { name: 'dns.qry.name' } },
      right: { kind: 'integer', value: 14 },
    });
    expect(ok('count(ip.addr) > 1')).toMatchObject({ left: { kind: 'function', name: 'count', valueType: 'integer' } });
    expect(ok('lower(http.host) == "x"')).toMatchObject({
      left: { kind: 'function', name: 'lower', valueType: 'string' },
      right: { kind: 'string', value: 'x' },
    });
    expect(ok('upper(http.host) contains "X"')).toMatchObject({ kind: 'contains', left: { kind: 'function', name: 'upper' } });
    expect(ok('len(http.host) > udp.port')).toMatchObject({ domain: 'integer', right: { kind: 'field', name: 'udp.port' } });
  });

  it('bitwise and on integers, addresses and bytes', () => {
    expect(ok('ip.src & 255.255.0.0 == 10.1.0.0')).toMatchObject({
      left: { kind: 'bitand', valueType: 'ipv4', mask: { kind: 'ipv4', addr: 0xffff0000 } },
      right: { kind: 'ipv4', addr: 0x0a010000 },
    });
    expect(ok('eth.dst[0] & 1')).toMatchObject({
      kind: 'nonzero',
      value: { value: { kind: 'slice' }, mask: { kind: 'bytes', hex: '01' } },
    });
    expect(ok('eth.src & 01:00:00:00:00:00')).toMatchObject({
      kind: 'nonzero',
      value: { valueType: 'ether', mask: { kind: 'ether', hex: '010000000000' } },
    });
  });

  it('contains takes strings, bytes and values', () => {
    expect(ok('udp.payload contains "GET"')).toMatchObject({ right: { kind: 'bytes', hex: '474554' } });
    expect(ok('udp.payload contains 0x47')).toMatchObject({ right: { kind: 'bytes', hex: '47' } });
    expect(ok('eth.src contains 5b:ff')).toMatchObject({ right: { kind: 'bytes', hex: '5bff' } });
    expect(ok('http.host contains github')).toMatchObject({ right: { kind: 'string', value: 'github' } });
    expect(ok('http.host contains http.user_agent')).toMatchObject({ right: { kind: 'field', name: 'http.user_agent' } });
  });

  it('matches carries the translated regex, case-insensitive by default', () => {
    expect(ok('dns.qry.name matches "GITHUB"')).toMatchObject({
      kind: 'matches',
      regex: { kind: 'regex', pattern: 'GITHUB', source: '[Gg][Ii][Tt][Hh][Uu][Bb]', flags: 'u', text: '"GITHUB"' },
    });
    expect(ok('dns.qry.name matches "(?-i)^www\\\\.x"')).toMatchObject({
      regex: { pattern: '(?-i)^www\\.x', source: '(?<![\\s\\S])www\\x2ex' },
    });
    expect(ok('udp.payload matches "\\xff"')).toMatchObject({ regex: { pattern: '\ufffd', source: '\\xff' } });
    expect(ok('http.host matches "é"')).toMatchObject({ regex: { pattern: 'é', source: '\\xc3\\xa9' } });
  });
});

describe('checker: unknown names (TShark 4.0 wording, position and a hint)', () => {
  it.each([
    ['ip.scr', 'ip.scr is neither a field nor a protocol name.', 0, 6],
    ['not ip.scr', 'ip.scr is neither a field nor a protocol name.', 4, 6],
    ['ip.scr and tcp', 'ip.scr is neither a field nor a protocol name.', 0, 6],
    ['ip.scr == 1.2.3.4', 'Left side of "==" expression must be a field or function, not ip.scr.', 0, 6],
    ['ip.scr eq 1', 'Left side of "eq" expression must be a field or function, not ip.scr.', 0, 6],
    ['all ip.scr == 1', 'Left side of "==" expression must be a field or function, not ip.scr.', 4, 6],
    ['udp.port == 53 and ip.scr == 1.2.3.4', 'Left side of "==" expression must be a field or function, not ip.scr.', 19, 6],
    ['ip.scr contains "x"', 'Left side of contains expression must be a field or function, not ip.scr.', 0, 6],
    ['ip.scr ~ "x"', 'Left side of ~ expression must be a field or function, not ip.scr.', 0, 6],
    ['ip.scr in {1}', 'Only a field may be tested for membership in a set.', 0, 6],
    ['ip.scr[0] == 1', 'Range is not supported for entity ip.scr', 0, 6],
    ['len(ip.scr) == 1', 'Only fields can be used as parameter for len()', 4, 6],
    ['lower(ip.scr) == "a"', 'Only string type fields can be used as parameter for lower()', 6, 6],
    ['ip.scr & 1', 'Constant arithmetic expression on the LHS is invalid.', 0, 6],
    ['ip.src == ip.scr', '"ip.scr" is not a valid hostname or IPv4 address.', 10, 6],
  ])('%s', (text, message, start, length) => {
    expect(err(text)).toEqual({ message, start, length, hint: 'Did you mean "ip.src"?' });
  });

  it('suggests the nearest field in the same protocol', () => {
    expect(err('tcp.prot == 80').hint).toBe('Did you mean "tcp.port"?');
    expect(err('http.hots == "x"').hint).toBe('Did you mean "http.host"?');
    expect(err('dns.qry.nmae == x').hint).toBe('Did you mean "dns.qry.name"?');
    expect(err('foo == bar').hint).toBeUndefined();
  });

  it('formats the caret form for the CLI', () => {
    const text = 'tcp.port == 80 and ip.scr == 1.2.3.4';
    expect(formatDiagnostic(text, err(text))).toBe(`${text}\n                   ^~~~~~`);
  });

  it('reports every unknown name, the first being TShark’s', () => {
    const r = checkFilter('ip.scr == 1 or tcp.prot == 2 or udp');
    expect(r.diagnostics.map((d) => [d.start, d.hint])).toEqual([
      [0, 'Did you mean "ip.src"?'],
      [15, 'Did you mean "tcp.port"?'],
    ]);
  });
});

describe('checker: type errors', () => {
  it.each([
    ['ip.src contains 1', 'ip.src (type=IPv4 address) cannot participate in contains comparison.', 0, 6],
    ['ip.addr ~ "x"', 'ip.addr (type=IPv4 address) cannot participate in ~ comparison.', 0, 7],
    ['udp.port matches "80"', 'udp.port (type=Unsigned integer (2 bytes)) cannot participate in matches comparison.', 0, 8],
    ['frame.time_relative matches "1"', 'frame.time_relative (type=Time offset) cannot participate in matches comparison.', 0, 19],
    ['tcp.analysis.retransmission == 1', 'tcp.analysis.retransmission (type=Label) cannot participate in == comparison.', 0, 27],
    ['ip.src == udp.port', 'ip.src and udp.port are not of compatible types.', 10, 8],
    ['udp.payload == http.host', 'udp.payload and http.host are not of compatible types.', 15, 9],
    ['tcp.flags.syn == tcp.flags', 'tcp.flags.syn and tcp.flags are not of compatible types.', 17, 9],
    ['udp.payload == frame', 'udp.payload and frame are not of compatible types.', 15, 5],
    ['udp.port[0] == 0', '"udp.port" is a Unsigned integer (2 bytes) and cannot be sliced into a sequence of bytes.', 0, 8],
    ['"abc" == http.host', 'Left side of "==" expression must be a field or function, not "abc".', 0, 5],
    ['80 == udp.port', 'Left side of "==" expression must be a field or function, not 80.', 0, 2],
    ['ip.addr == 1.2.3.4 == 1.2.3.5', 'Left side of "==" expression must be a field or function, not 1.2.3.4.', 11, 7],
    ['"abc"', '"abc" is neither a field nor a protocol name.', 0, 5],
    ['len(http.host)', 'You cannot test whether a function is present.', 0, 3],
    ['tcp.flags.syn & 1', 'FT_BOOLEAN cannot &.', 0, 13],
    ['frame.time & 1', 'FT_ABSOLUTE_TIME cannot &.', 0, 10],
    ['udp.port & "x"', '"x" is not a valid arithmetic operand.', 11, 3],
    ['len(http.host) in {1..3}', 'Only a field may be tested for membership in a set.', 0, 3],
    ['udp.port in {http}', 'udp.port and http are not of compatible types.', 13, 4],
    ['foo(ip.src)', "Function 'foo' does not exist", 0, 3],
    ['lower() == "a"', 'Function lower needs at least 1 arguments.', 0, 5],
    ['lower(http.host, http.host) == "a"', 'Function lower can only accept 1 arguments.', 0, 5],
    ['lower(udp.port) == "x"', 'Only string type fields can be used as parameter for lower()', 6, 8],
    ['len(lower(http.host)) == 3', 'Only fields can be used as parameter for len()', 4, 5],
  ])('%s', (text, message, start, length) => {
    expect(err(text)).toMatchObject({ message, start, length });
  });
});

describe('checker: bad literals', () => {
  it.each([
    ['ip.src == foo', '"foo" is not a valid hostname or IPv4 address.'],
    ['ip.src == 10.0.0', '"10.0.0" is not a valid hostname or IPv4 address.'],
    ['ip.src == 256.1.1.1', '"256.1.1.1" is not a valid hostname or IPv4 address.'],
    ['ip.src == 010.0.0.1', '"010.0.0.1" is not a valid hostname or IPv4 address.'],
    ['ip.src == "1.2.3.4"', 'IPv4 address cannot be converted from a string ("1.2.3.4").'],
    ['ip.src == ::1', '"::1" is not a valid hostname or IPv4 address.'],
    ['ip.addr == 10.0.0.0/33', 'Netmask bits in a CIDR IPv4 address should be <= 32, not 33'],
    ['ipv6.src == 1.2.3.4', '"1.2.3.4" is not a valid hostname or IPv6 address.'],
    ['ipv6.addr == 2001:db8::/129', 'Prefix in a IPv6 address should be <= 128, not 129'],
    ['eth.src == foo', '"foo" is not a valid Ethernet address.'],
    ['eth.src == 00:11:22:33:44', '"00:11:22:33:44" contains too few bytes to be a valid Ethernet address.'],
    ['eth.src == ff:ff:ff:ff:ff:ff:ff', '"ff:ff:ff:ff:ff:ff:ff" contains too many bytes to be a valid Ethernet address.'],
    ["eth.src == 'a'", "Character constant 'a' (0x61) cannot be converted to Ethernet or other MAC address."],
    ['udp.port == 70000', '"70000" too big for this field, maximum 65535.'],
    ['frame.len == 99999999999999999999', '"99999999999999999999" causes an integer overflow.'],
    ['udp.port == "80"', 'Unsigned integer (2 bytes) cannot be converted from a string ("80").'],
    ['udp.port == 80a', '"80a" is not a valid number.'],
    ['udp.port == 08', '"08" is not a valid number.'],
    ['frame.len > 1.5', '"1.5" is not a valid number.'],
    ['ip.proto == foo', '"foo" cannot be found among the possible values for ip.proto.'],
    ['ip.proto == 256', '"256" cannot be found among the possible values for ip.proto.'],
    ['tcp.flags.syn == true', '"true" cannot be found among the possible values for tcp.flags.syn.'],
    ['tcp.flags.syn == -1', 'FT_BOOLEAN cannot -.'],
    ['ip.geoip.lat == x', '"x" is not a valid floating-point number.'],
    ['udp.payload == zz', '"zz" is not a valid byte string.'],
    ['udp.payload == 0x1234', '"0x1234" is not a valid byte string.'],
    ['frame.time == 1', '"1" is not a valid absolute time. Example: "Nov 12, 1999 08:55:44.123" or "2011-07-04 12:34:56"'],
    ['frame.time == "Nov 27, 2026 10:00:00.1234567891"', 'Subseconds value is invalid.'],
    ['frame.time_relative > "5"', 'Time offset cannot be converted from a string ("5").'],
    ['frame.time_relative == 1s', '"1s" is not a valid time.'],
    ['frame.time_relative > 1.123456789123', '"1.123456789123" is not a valid time.'],
    ["frame.time_delta > 'a'", "Character constant 'a' (0x61) cannot be converted to Time offset."],
    ['count(ip.addr) == "2"', 'Unsigned integer (4 bytes) cannot be converted from a string ("2").'],
  ])('%s', (text, message) => {
    expect(err(text).message).toBe(message);
  });

  it('points at the literal', () => {
    expect(err('ip.src == 1.2.3.4.5')).toMatchObject({ start: 10, length: 9 });
    expect(err('tcp.flags.syn == -1')).toMatchObject({ start: 18, length: 1 });
  });

  it('hints where TShark gives no help', () => {
    expect(err('ip.src == localhost').hint).toMatch(/does not resolve host names/);
    expect(err('udp.port == "80"').hint).toBe('Remove the quotes around the number.');
    expect(err('frame.time_relative > 1.5e1').hint).toMatch(/read it as 1.5/);
  });
});

describe('checker: regular expressions', () => {
  it.each([
    ['http.host matches x', 'Matches requires a double quoted string on the right side.'],
    ['http.host matches "a("', 'Regex compilation error: missing closing parenthesis.'],
    ['http.host matches "[a"', 'Regex compilation error: missing terminating ] for character class.'],
    ['http.host matches "*a"', 'Regex compilation error: quantifier does not follow a repeatable item.'],
    [
      'http.host matches "a++"',
      'Tracehound cannot evaluate this regular expression: a possessive quantifier (such as a++) has no JavaScript equivalent.',
    ],
  ])('%s', (text, message) => {
    expect(err(text)).toMatchObject({ message, start: 18 });
  });
});

describe('checker: what Tracehound refuses on purpose', () => {
  it.each([
    ['frame.len + 1 == 75', 'Arithmetic ("+") is not supported by Tracehound yet', 10],
    ['-frame.len < 0', 'Arithmetic ("-") is not supported by Tracehound yet', 0],
    ['ip.ttl#1 == 64', 'The layer operator "#" is not supported by Tracehound yet', 0],
    ['string(frame.number) matches "1$"', "Function 'string' is not supported by Tracehound yet", 0],
    ['ip.ttl == -1', 'ip.ttl is unsigned, so it is never equal to "-1".', 10],
    ['udp.port in {udp.srcport}', 'Fields in a set are not supported by Tracehound yet', 13],
    ['tcp.flags & tcp.flags', 'Only a literal mask is supported by Tracehound after "&"', 12],
  ])('%s', (text, message, start) => {
    expect(err(text)).toMatchObject({ message, start });
  });
});

describe('checker: isSupported', () => {
  const engine = new Set(['ip', 'ip.src', 'ip.dst', 'ip.addr', 'tcp.port', 'udp.port', 'frame.len']);
  const isSupported = (name: string, use: string): boolean => engine.has(name) || (name === 'tcp' && use === 'exists');

  it('accepts supported fields', () => {
    expect(checkFilter('ip.addr == 10.0.0.1 and tcp', { isSupported }).diagnostics).toEqual([]);
  });

  it.each([
    ['http.host == "x"', '"http.host" is a valid field but is not supported by Tracehound yet', 0, 9],
    ['frame.len > 60 and dns', '"dns" is a valid field but is not supported by Tracehound yet', 19, 3],
    ['tcp contains "x"', 'Tracehound can test whether "tcp" is present but cannot use its value yet', 0, 3],
    ['count(http.host) == 1', '"http.host" is a valid field but is not supported by Tracehound yet', 6, 9],
  ])('%s', (text, message, start, length) => {
    expect(checkFilter(text, { isSupported }).diagnostics[0]).toEqual({ message, start, length });
  });

  it('passes how the field is used', () => {
    const seen: string[] = [];
    checkFilter('tcp and ip.src == 1.2.3.4 and count(udp.port) == 2 and eth.src[0] == 0', {
      isSupported: (f, use) => {
        seen.push(`${f}:${use}`);
        return true;
      },
    });
    expect(seen).toEqual(['tcp:exists', 'ip.src:value', 'udp.port:count', 'eth.src:value']);
  });
});

describe('checker: warnings', () => {
  it('warns when a field-like word is compared as text', () => {
    const r = checkFilter('http.host == http.hots');
    expect(r.diagnostics).toEqual([]);
    expect(r.warnings).toEqual([
      {
        message: '"http.hots" is not a field; it is compared as the text "http.hots".',
        start: 13,
        length: 9,
        hint: 'Did you mean "http.host"? Quote the text to compare with a string.',
      },
    ]);
  });

  it('does not warn about host names', () => {
    expect(checkFilter('dns.qry.name == www.github.com').warnings).toEqual([]);
  });

  it('passes the parser warnings on', () => {
    expect(checkFilter('ip.addr ~= 1.2.3.4').warnings.map((w) => w.message)).toEqual(['"~=" is deprecated.']);
  });
});

describe('checker: speed', () => {
  it('checks a typical filter in well under 1 ms', () => {
    const filters = [
      'ip.addr == 10.0.0.0/8 and tcp.port in {80, 443, 8080} and not tcp.analysis.retransmission',
      'http.request.method == "POST" && http.host contains "example" || dns.qry.name matches "(?i)^evil\\\\."',
      'eth.src[0:3] == 00:1f:5b and frame.time >= "2026-11-27 10:00:00" and frame.len > 100',
      'ip.scr == 1.2.3.4',
    ];
    for (const f of filters) checkFilter(f);
    const n = 500;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) for (const f of filters) checkFilter(f);
    const perFilter = (performance.now() - t0) / (n * filters.length);
    expect(perFilter).toBeLessThan(1);
  });
});

describe('checker: robustness', () => {
  const seeds = FILTER_CASES.map((c) => c.filter);
  /** A fixture filter with random characters inserted, deleted or replaced: what a user types. */
  const mutated = fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom('del', 'ins', 'rep'), fc.string({ minLength: 1, maxLength: 2 })), { maxLength: 3 }),
    )
    .map(([text, edits]) => {
      let t = text;
      for (const [at, op, s] of edits) {
        const i = t.length === 0 ? 0 : at % (t.length + 1);
        t =
          op === 'del'
            ? t.slice(0, i) + t.slice(i + 1)
            : op === 'ins'
              ? t.slice(0, i) + s + t.slice(i)
              : t.slice(0, i) + s + t.slice(i + 1);
      }
      return t;
    });

  it('never throws, and every diagnostic lies inside the text', () => {
    fc.assert(
      fc.property(mutated, (text) => {
        const r = checkFilter(text);
        expect(r.ast === null || r.diagnostics.length === 0).toBe(true);
        for (const d of [...r.diagnostics, ...r.warnings]) {
          expect(d.message.length).toBeGreaterThan(0);
          expect(d.start).toBeGreaterThanOrEqual(0);
          expect(d.start + d.length).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('is deterministic', () => {
    for (const f of seeds.slice(0, 50)) expect(checkFilter(f, { tz: utcTimeZone })).toEqual(checkFilter(f, { tz: utcTimeZone }));
  });
});
