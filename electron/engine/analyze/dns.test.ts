import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DnsTcpParser, DnsUdpParser, parseDnsMessage, readName, formatText, type DnsMessage } from './dns.js';
import type { AppRecord, AppSink, AppValue, FrameCtx, StreamInfo } from './types.js';

// ---- Builders ----------------------------------------------------------------------------

function bytes(...parts: (number[] | Uint8Array | string)[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'string') for (const c of p) out.push(c.charCodeAt(0));
    else out.push(...p);
  }
  return Uint8Array.from(out);
}
const be16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const be32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
function name(dotted: string): number[] {
  const out: number[] = [];
  if (dotted !== '') for (const l of dotted.split('.')) out.push(l.length, ...Array.from(l, (c) => c.charCodeAt(0)));
  out.push(0);
  return out;
}
const header = (id: number, flags: number, qd: number, an: number, ns: number, ar: number): number[] => [
  ...be16(id),
  ...be16(flags),
  ...be16(qd),
  ...be16(an),
  ...be16(ns),
  ...be16(ar),
];
const question = (n: number[], type: number, cls = 1): number[] => [...n, ...be16(type), ...be16(cls)];
const rr = (n: number[], type: number, cls: number, ttl: number, rdata: number[]): number[] => [
  ...n,
  ...be16(type),
  ...be16(cls),
  ...be32(ttl),
  ...be16(rdata.length),
  ...rdata,
];

interface Captured {
  fields: [string, AppValue][];
  columns: [string, string][];
  anomalies: [string, string, number | undefined][];
  records: AppRecord[];
}
function capture(): { sink: AppSink; got: Captured } {
  const got: Captured = { fields: [], columns: [], anomalies: [], records: [] };
  const sink: AppSink = {
    field: (n, v) => got.fields.push([n, v]),
    columns: (p, i) => got.columns.push([p, i]),
    anomaly: (l, d, o) => got.anomalies.push([l, d, o]),
    record: (r) => got.records.push(r),
  };
  return { sink, got };
}
const ctxOf = (sink: AppSink, frame: number, tsSec = 1000, tsNsec = 0): FrameCtx => ({ frame, tsSec, tsNsec, sink });
const values = (got: Captured, field: string): AppValue[] => got.fields.filter(([n]) => n === field).map(([, v]) => v);
const info: StreamInfo = { stream: 0, client: { addr: '10.0.0.1', port: 40000 }, server: { addr: '10.0.0.2', port: 53 } };

function ok(r: ReturnType<typeof parseDnsMessage>): DnsMessage {
  if ('error' in r) throw new Error(`unexpected error ${r.error} at ${r.offset}`);
  return r;
}

// Query "example.com A", id 0x1234, RD:
// 12 34 01 00 00 01 00 00 00 00 00 00 | 07 'example' 03 'com' 00 | 00 01 00 01
const QUERY = bytes(header(0x1234, 0x0100, 1, 0, 0, 0), question(name('example.com'), 1));

// Response with compression: answer name c0 0c (-> example.com at 12), CNAME www.example.com
// written as 03 'www' c0 0c, then an A for the CNAME target via c0 29.
const RESPONSE = bytes(
  header(0x1234, 0x8180, 1, 2, 0, 0),
  question(name('example.com'), 1), // 12..28
  rr([0xc0, 0x0c], 5, 1, 300, [3, ...Array.from('www', (c) => c.charCodeAt(0)), 0xc0, 0x0c]), // 29..46, rdata at 41
  rr([0xc0, 41], 1, 1, 60, [93, 184, 216, 34]),
);

describe('parseDnsMessage', () => {
  it('parses a query', () => {
    const m = ok(parseDnsMessage(QUERY));
    expect(m).toMatchObject({ id: 0x1234, response: false, opcode: 0, rcode: 0, counts: [1, 0, 0, 0], length: QUERY.length });
    expect(m.questions).toEqual([{ name: { text: 'example.com', len: 11, labels: 2 }, type: 1, class: 1, offset: 12 }]);
  });

  it('follows compression pointers in owner names and RDATA', () => {
    const m = ok(parseDnsMessage(RESPONSE));
    expect(m.records.map((r) => [r.name.text, r.type, r.ttl, r.data])).toEqual([
      ['example.com', 5, 300, { kind: 'name', name: { text: 'www.example.com', len: 15, labels: 3 } }],
      ['www.example.com', 1, 60, { kind: 'a', addr: 0x5db8d822 }],
    ]);
  });

  it('names a pointer loop instead of following it forever', () => {
    // c0 0c at offset 12 points at itself.
    const m = ok(parseDnsMessage(bytes(header(4, 0x0100, 1, 0, 0, 0), [0xc0, 0x0c], be16(1), be16(1))));
    expect(m.questions[0]?.name).toEqual({ text: '<Name contains a pointer that loops>', len: 36, labels: 1 });
    // 01 'a' c0 0c: each turn adds a label, which the name-length guard and the jump cap end.
    const m2 = ok(parseDnsMessage(bytes(header(4, 0x0100, 1, 0, 0, 0), [1, 0x61, 0xc0, 0x0c], be16(1), be16(1))));
    expect(m2.questions[0]?.name.text).toBe('<Name contains a pointer that loops>');
  });

  it('treats a pointer to two bytes past its own end as a loop (Wireshark 4.0 quirk)', () => {
    // Question 1: c0 10 at 12 points at 16 (its class field, 00 01 -> would read as root).
    const m = ok(parseDnsMessage(bytes(header(2, 0x0100, 1, 0, 0, 0), [0xc0, 0x10], be16(1), be16(1))));
    expect(m.questions[0]?.name.text).toBe('<Name contains a pointer that loops>');
  });

  it('reports a pointer past the end as an error with the header as partial', () => {
    const r = parseDnsMessage(bytes(header(5, 0x0100, 1, 0, 0, 0), [1, 0x61, 0xc0, 0xff], be16(1), be16(1)));
    expect('error' in r).toBe(true);
    if (!('error' in r)) return;
    expect(r.offset).toBe(255);
    expect(r.partial?.id).toBe(5);
    expect(r.partial?.questions).toEqual([]);
  });

  it('does not trust huge declared counts', () => {
    const r = parseDnsMessage(bytes(header(6, 0x0100, 65535, 65535, 65535, 65535), question(name('a.com'), 1)));
    expect('error' in r).toBe(true);
    if (!('error' in r)) return;
    expect(r.partial?.questions.length).toBe(1);
    expect(r.partial?.counts).toEqual([65535, 65535, 65535, 65535]);
  });

  it('rejects a short header', () => {
    expect(parseDnsMessage(bytes([0, 1, 2, 3, 4]))).toMatchObject({ offset: 0 });
  });

  it('reads TXT with several strings (empty, control and high bytes as Wireshark shows them)', () => {
    const txt = [3, 0x61, 0x62, 0x63, 0, 2, 0x61, 0x01, 2, 0x62, 0xff];
    const m = ok(parseDnsMessage(bytes(header(7, 0x8180, 0, 1, 0, 0), rr(name('t.com'), 16, 1, 5, txt))));
    expect(m.records[0]?.data).toEqual({
      kind: 'txt',
      strings: [
        { len: 3, text: 'abc' },
        { len: 0, text: '' },
        { len: 2, text: 'a\u0001' },
        { len: 2, text: 'b\uFFFD' },
      ],
    });
  });

  it('reads AAAA, SOA, MX, SRV and OPT', () => {
    const aaaa = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const soa = [...name('ns1.ex.com'), ...name('host.ex.com'), ...be32(1), ...be32(2), ...be32(3), ...be32(4), ...be32(5)];
    const msg = bytes(
      header(8, 0x8180, 0, 4, 0, 1),
      rr(name('ex.com'), 28, 1, 1, aaaa),
      rr(name('ex.com'), 6, 1, 1, soa),
      rr(name('ex.com'), 15, 1, 1, [...be16(10), ...name('mail.ex.com')]),
      rr(name('_sip._udp.ex.com'), 33, 1, 1, [...be16(1), ...be16(2), ...be16(5060), ...name('sip.ex.com')]),
      // OPT: class = UDP size 4096, TTL = ext-rcode 0, version 0, DO set; one COOKIE option.
      rr([0], 41, 4096, 0x00008000, [...be16(10), ...be16(8), 1, 2, 3, 4, 5, 6, 7, 8]),
    );
    const m = ok(parseDnsMessage(msg));
    expect(m.records.map((r) => r.data.kind)).toEqual(['aaaa', 'soa', 'mx', 'srv', 'opt']);
    expect(m.records[0]?.data).toEqual({ kind: 'aaaa', addr: Uint8Array.from(aaaa) });
    expect(m.records[1]?.data).toMatchObject({ mname: { text: 'ns1.ex.com' }, rname: { text: 'host.ex.com' }, serial: 1, minimum: 5 });
    expect(m.records[2]?.data).toMatchObject({ preference: 10, exchange: { text: 'mail.ex.com' } });
    expect(m.records[3]?.data).toMatchObject({ priority: 1, weight: 2, port: 5060, target: { text: 'sip.ex.com' } });
    expect(m.records[4]).toMatchObject({ name: { text: '<Root>' }, class: 4096, ttl: 0x8000, section: 'ar' });
    expect(m.records[4]?.data).toEqual({ kind: 'opt', options: [{ code: 10, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) }] });
  });

  it('keeps unknown types as bytes and flags RDATA that does not fit', () => {
    const m = ok(parseDnsMessage(bytes(header(9, 0x8180, 0, 1, 0, 0), rr(name('x'), 65400, 1, 1, [0xde, 0xad]))));
    expect(m.records[0]?.data).toEqual({ kind: 'raw', bytes: Uint8Array.from([0xde, 0xad]) });
    const r = parseDnsMessage(bytes(header(9, 0x8180, 0, 1, 0, 0), rr(name('x'), 1, 1, 1, [1, 2, 3])));
    expect('error' in r && r.partial?.records[0]?.data).toEqual({ kind: 'error' });
  });
});

describe('readName', () => {
  it('escapes control bytes and keeps UTF-8 as Wireshark does; a dot inside a label counts as a label', () => {
    const msg = bytes([5], 'a b.c', [4], 'x\\y', [0], [3, 0, 0xff, 0x7f], [0]);
    expect(readName(msg, 0).name).toEqual({ text: 'a b.c.x\\y\\000.\\000\uFFFD\\177', len: 14, labels: 4 });
    expect(formatText(Uint8Array.from([0x61, 9, 0x0a, 0xc3, 0xa9]))).toBe('a\\t\\né');
  });

  it('calls a name over 253 characters too long', () => {
    const long = bytes(...Array.from({ length: 4 }, () => [63, ...new Array<number>(63).fill(0x61)]), [1, 0x62, 0]);
    expect(readName(long, 0).name.text).toBe('<Name too long>'); // 4*63 + 1 + 4 dots = 257 characters
    const fits = bytes(...Array.from({ length: 4 }, () => [62, ...new Array<number>(62).fill(0x61)]), [1, 0x62, 0]);
    expect(readName(fits, 0).name.len).toBe(253); // 4*62 + 1 + 4 dots: the longest name that fits
  });

  it('accepts a forward pointer', () => {
    const msg = bytes([0xc0, 0x02], name('fwd.com'));
    expect(readName(msg, 0)).toEqual({ name: { text: 'fwd.com', len: 7, labels: 2 }, used: 2 });
  });

  it('never throws anything but its own error on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const r = parseDnsMessage(b);
        expect(typeof r).toBe('object');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('DnsUdpParser', () => {
  it('emits fields in tree order, columns and a record for a query and its response', () => {
    const p = new DnsUdpParser(info, 'udp');
    const q = capture();
    p.datagram(0, QUERY, ctxOf(q.sink, 1, 1000, 0));
    expect(q.got.fields.map(([n]) => n)).toEqual([
      'dns',
      'dns.id',
      'dns.flags',
      'dns.flags.response',
      'dns.flags.opcode',
      'dns.flags.truncated',
      'dns.flags.recdesired',
      'dns.flags.z',
      'dns.flags.checkdisable',
      'dns.count.queries',
      'dns.count.answers',
      'dns.count.auth_rr',
      'dns.count.add_rr',
      'dns.qry.name',
      'dns.qry.name.len',
      'dns.count.labels',
      'dns.qry.type',
      'dns.qry.class',
    ]);
    expect(q.got.columns).toEqual([['DNS', 'Standard query 0x1234 A example.com']]);

    const r = capture();
    p.datagram(1, RESPONSE, ctxOf(r.sink, 2, 1000, 865000));
    expect(r.got.columns).toEqual([['DNS', 'Standard query response 0x1234 A example.com CNAME www.example.com A 93.184.216.34']]);
    expect(values(r.got, 'dns.flags.rcode')).toEqual([0]);
    expect(values(r.got, 'dns.resp.name')).toEqual(['example.com', 'www.example.com']);
    expect(values(r.got, 'dns.cname')).toEqual(['www.example.com']);
    expect(values(r.got, 'dns.a')).toEqual([0x5db8d822]);
    expect(values(r.got, 'dns.resp.ttl')).toEqual([300, 60]);
    expect(values(r.got, 'dns.response_to')).toEqual([1]);
    expect(values(r.got, 'dns.time')[0]).toBeCloseTo(0.000865, 9);
    expect(r.got.records).toEqual([
      {
        kind: 'dns',
        frame: 2,
        stream: 0,
        transport: 'udp',
        id: 0x1234,
        response: true,
        opcode: 0,
        rcode: 0,
        questions: [{ name: 'example.com', type: 1, class: 1 }],
        answers: [
          { section: 'an', name: 'example.com', type: 5, class: 1, ttl: 300, data: 'www.example.com' },
          { section: 'an', name: 'www.example.com', type: 1, class: 1, ttl: 60, data: '93.184.216.34' },
        ],
      },
    ]);

    // The same response again is a retransmission; an unknown id is unsolicited.
    const again = capture();
    p.datagram(1, RESPONSE, ctxOf(again.sink, 3, 1001, 0));
    expect(again.got.fields.slice(1, 4)).toEqual([
      ['dns.id', 0x1234],
      ['dns.retransmit_response_in', 2],
      ['dns.retransmission', 1],
    ]);
    const other = capture();
    const unsolicited = RESPONSE.slice();
    unsolicited[0] = 0x99;
    p.datagram(1, unsolicited, ctxOf(other.sink, 4));
    expect(values(other.got, 'dns.unsolicited')).toEqual([1]);
  });

  it('marks a repeated unanswered query within 5 s as a retransmission, later as new', () => {
    const p = new DnsUdpParser(info);
    const a = capture();
    p.datagram(0, QUERY, ctxOf(a.sink, 1, 100));
    const b = capture();
    p.datagram(0, QUERY, ctxOf(b.sink, 2, 104));
    expect(values(b.got, 'dns.retransmit_request_in')).toEqual([1]);
    const c = capture();
    p.datagram(0, QUERY, ctxOf(c.sink, 3, 106));
    expect(values(c.got, 'dns.retransmission')).toEqual([]);
  });

  it('shows the rcode, TXT, SOA and OPT in Info as Wireshark does', () => {
    const msg = bytes(
      header(0x6c67, 0x8183, 1, 1, 1, 1),
      question(name('wpad.contoso.local'), 1),
      rr([0xc0, 0x0c], 16, 1, 1, [2, 0x68, 0x69]),
      rr(name('contoso.local'), 6, 1, 1, [...name('dc1.contoso.local'), ...name('h.contoso.local'), ...be32(1), ...be32(2), ...be32(3), ...be32(4), ...be32(5)]),
      rr([0], 41, 512, 0, []),
    );
    const s = capture();
    new DnsUdpParser(info).datagram(1, msg, ctxOf(s.sink, 1));
    expect(s.got.columns[0]?.[1]).toBe('Standard query response 0x6c67 No such name A wpad.contoso.local TXT SOA dc1.contoso.local OPT');
    expect(values(s.got, 'dns.txt')).toEqual(['hi']);
    expect(values(s.got, 'dns.soa.mname')).toEqual(['dc1.contoso.local']);
    expect(values(s.got, 'dns.rr.udp_payload_size')).toEqual([512]);
  });

  it('names mDNS and LLMNR and decodes their class bits and flags', () => {
    const mdns = new DnsUdpParser({ stream: 1, client: { addr: 'fe80::1', port: 5353 }, server: { addr: 'ff02::fb', port: 5353 } });
    const s = capture();
    const msg = bytes(header(0, 0, 1, 0, 1, 0), question(name('host.local'), 255, 0x8001), rr([0xc0, 0x0c], 1, 0x8001, 120, [10, 0, 0, 1]));
    mdns.datagram(0, msg, ctxOf(s.sink, 1));
    expect(s.got.columns).toEqual([['MDNS', 'Standard query 0x0000 ANY host.local, "QU" question A, cache flush 10.0.0.1']]);
    expect(s.got.fields[0]?.[0]).toBe('mdns');
    expect(values(s.got, 'dns.qry.class')).toEqual([1]);
    expect(values(s.got, 'dns.qry.qu')).toEqual([1]);
    expect(values(s.got, 'dns.resp.cache_flush')).toEqual([1]);

    const llmnr = new DnsUdpParser({ stream: 2, client: { addr: '10.0.0.1', port: 49672 }, server: { addr: '224.0.0.252', port: 5355 } });
    const l = capture();
    llmnr.datagram(0, bytes(header(0x3852, 0x0500, 1, 0, 0, 0), question(name('wpad'), 1)), ctxOf(l.sink, 1));
    expect(l.got.columns).toEqual([['LLMNR', 'Standard query 0x3852 A wpad']]);
    expect(l.got.fields.slice(2, 8).map(([n]) => n)).toEqual([
      'dns.flags',
      'dns.flags.response',
      'dns.flags.opcode',
      'dns.flags.conflict',
      'dns.flags.truncated',
      'dns.flags.tentative',
    ]);
  });

  it('emits what was parsed of a malformed message and an anomaly', () => {
    const s = capture();
    new DnsUdpParser(info).datagram(0, bytes(header(6, 0x0100, 65535, 0, 0, 0), question(name('a.com'), 1)), ctxOf(s.sink, 1));
    expect(s.got.columns).toEqual([['DNS', 'Standard query 0x0006 A a.com']]);
    expect(values(s.got, 'dns.qry.name')).toEqual(['a.com']);
    expect(s.got.anomalies).toHaveLength(1);
    expect(s.got.anomalies[0]?.[0]).toBe('dns');
  });
});

describe('DnsUdpParser on a short header', () => {
  it('shows the ID and flags it has, then an anomaly', () => {
    const s = capture();
    new DnsUdpParser(info).datagram(0, bytes([0x00, 0x10, 0x01, 0x00, 0x00]), ctxOf(s.sink, 1));
    expect(s.got.columns).toEqual([['DNS', 'Standard query 0x0010']]);
    expect(values(s.got, 'dns.id')).toEqual([0x10]);
    expect(s.got.anomalies).toHaveLength(1);
    expect(s.got.records).toEqual([]);
  });
});

describe('DnsTcpParser', () => {
  const framed = (m: Uint8Array): Uint8Array => bytes(be16(m.length), m);

  function feed(chunks: Uint8Array[]): Captured {
    const p = new DnsTcpParser(info, 'tcp');
    const s = capture();
    chunks.forEach((c, i) => p.data(0, c, ctxOf(s.sink, i + 1)));
    return s.got;
  }

  it('reads two messages from one segment', () => {
    const got = feed([bytes(framed(QUERY), framed(QUERY))]);
    expect(got.columns).toHaveLength(2);
    expect(values(got, 'dns.length')).toEqual([QUERY.length, QUERY.length]);
    expect(got.fields[1]).toEqual(['dns.length', QUERY.length]);
    // Both in one frame: the second is a new transaction, not a retransmission of the first.
    expect(values(got, 'dns.retransmission')).toEqual([]);
  });

  it('reassembles a message split at every byte position (fast-check)', () => {
    const stream = bytes(framed(RESPONSE), framed(QUERY));
    const whole = feed([stream]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 8 }), (cuts) => {
        const at = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let prev = 0;
        for (const c of [...at, stream.length]) {
          chunks.push(stream.slice(prev, c));
          prev = c;
        }
        const got = feed(chunks);
        expect(got.fields).toEqual(whole.fields);
        expect(got.columns).toEqual(whole.columns);
        expect(got.anomalies).toEqual([]);
      }),
    );
    for (let cut = 1; cut < stream.length; cut++) {
      const got = feed([stream.slice(0, cut), stream.slice(cut)]);
      expect(got.columns).toEqual(whole.columns);
      // The message completes on the frame holding its last byte.
      expect(got.records[0]?.frame).toBe(cut >= RESPONSE.length + 2 ? 1 : 2);
    }
  });

  it('gives up a direction after a gap and reports an unfinished message at the end', () => {
    const p = new DnsTcpParser(info);
    const s = capture();
    p.data(0, framed(QUERY).subarray(0, 5), ctxOf(s.sink, 1));
    p.end(0, ctxOf(s.sink, 2));
    expect(s.got.anomalies).toHaveLength(1);
    p.gap(1, 100, ctxOf(s.sink, 3));
    p.data(1, framed(QUERY), ctxOf(s.sink, 4));
    expect(s.got.columns).toEqual([]);
    expect(s.got.anomalies).toHaveLength(2);
  });

  it('survives random segments', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 10 }), (chunks) => {
        feed(chunks);
      }),
      { numRuns: 500 },
    );
  });
});
