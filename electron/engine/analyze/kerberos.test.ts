import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { KerberosTcpParser, KerberosUdpParser, MAX_TCP_MESSAGE, looksLikeKerberos, parseKerberos } from './kerberos.js';
import type { AppRecord, AppSink, AppValue, CredentialRecord, FrameCtx, HostFactRecord, KerberosRecord, StreamInfo } from './types.js';

// ---- A tiny DER builder (RFC 4120 §5 messages are DER; X.690 §8.1 headers) ----------------

type Bytes = number[];
function len(n: number): Bytes {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}
const tlv = (id: number, ...parts: Bytes[]): Bytes => {
  const body = parts.flat();
  return [id, ...len(body.length), ...body];
};
const seq = (...items: Bytes[]): Bytes => tlv(0x30, ...items);
const ctx = (n: number, ...inner: Bytes[]): Bytes => tlv(0xa0 | n, ...inner);
const app = (n: number, ...inner: Bytes[]): Bytes => tlv(0x60 | n, ...inner);
function int(v: number): Bytes {
  const out: number[] = [];
  let x = v;
  for (;;) {
    out.unshift(x & 0xff);
    const rest = Math.floor(x / 256);
    if ((rest === 0 && (out[0]! & 0x80) === 0) || (rest === -1 && (out[0]! & 0x80) !== 0)) break;
    x = rest;
  }
  return tlv(0x02, out);
}
const ascii = (s: string): Bytes => Array.from(s, (c) => c.charCodeAt(0));
const gstr = (s: string): Bytes => tlv(0x1b, ascii(s));
const gtime = (s: string): Bytes => tlv(0x18, ascii(s));
const octets = (b: Bytes): Bytes => tlv(0x04, b);
const bits = (b: Bytes): Bytes => tlv(0x03, [0, ...b]);
const bool = (v: boolean): Bytes => tlv(0x01, [v ? 0xff : 0]);

const principal = (type: number, ...names: string[]): Bytes => seq(ctx(0, int(type)), ctx(1, seq(...names.map(gstr))));
const encData = (etype: number, kvno: number | null, cipher: Bytes): Bytes =>
  seq(ctx(0, int(etype)), ...(kvno === null ? [] : [ctx(1, int(kvno))]), ctx(2, octets(cipher)));
const ticket = (realm: string, sname: Bytes, enc: Bytes): Bytes =>
  app(1, seq(ctx(0, int(5)), ctx(1, gstr(realm)), ctx(2, sname), ctx(3, enc)));
const padata = (type: number, value: Bytes): Bytes => seq(ctx(1, int(type)), ctx(2, octets(value)));
const cipherOf = (n: number, seed: number): Bytes => Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
const hexOf = (b: Bytes): string => b.map((x) => x.toString(16).padStart(2, '0')).join('');

const REALM = 'EXAMPLE.COM';
const TILL = '20370913024805Z';
const TILL_SEC = Date.UTC(2037, 8, 13, 2, 48, 5) / 1000;
const KRBTGT = principal(2, 'krbtgt', REALM);
const SPN = principal(2, 'MSSQLSvc', 'db.example.com:1433');

/** AS-REQ for alice with the given etypes; PA-PAC-REQUEST, plus PA-ENC-TIMESTAMP when pre-authenticated. */
function asReq(etypes: number[], preauth = false): Uint8Array {
  const pa = [padata(128, seq(ctx(0, bool(true)))), ...(preauth ? [padata(2, encData(18, null, cipherOf(44, 1)))] : [])];
  const body = seq(
    ctx(0, bits([0x40, 0x81, 0x00, 0x10])),
    ctx(1, principal(1, 'alice')),
    ctx(2, gstr(REALM)),
    ctx(3, KRBTGT),
    ctx(5, gtime(TILL)),
    ctx(7, int(887844331)),
    ctx(8, seq(...etypes.map(int))),
  );
  return Uint8Array.from(app(10, seq(ctx(1, int(5)), ctx(2, int(10)), ctx(3, seq(...pa)), ctx(4, body))));
}

const AS_REP_CIPHER = cipherOf(100, 3);
function asRep(encEtype: number): Uint8Array {
  return Uint8Array.from(
    app(
      11,
      seq(
        ctx(0, int(5)),
        ctx(1, int(11)),
        ctx(2, seq(padata(19, seq(seq(ctx(0, int(encEtype)), ctx(1, gstr(`${REALM}alice`))))))),
        ctx(3, gstr(REALM)),
        ctx(4, principal(1, 'alice')),
        ctx(5, ticket(REALM, KRBTGT, encData(18, 2, cipherOf(60, 5)))),
        ctx(6, encData(encEtype, null, AS_REP_CIPHER)),
      ),
    ),
  );
}

/** TGS-REQ for the SPN, with the TGT in PA-TGS-REQ (an AP-REQ). */
function tgsReq(): Uint8Array {
  const apReq = app(
    14,
    seq(
      ctx(0, int(5)),
      ctx(1, int(14)),
      ctx(2, bits([0, 0, 0, 0])),
      ctx(3, ticket(REALM, KRBTGT, encData(18, 2, cipherOf(50, 7)))),
      ctx(4, encData(18, null, cipherOf(30, 9))),
    ),
  );
  const body = seq(
    ctx(0, bits([0x40, 0x81, 0, 0])),
    ctx(2, gstr(REALM)),
    ctx(3, SPN),
    ctx(5, gtime(TILL)),
    ctx(7, int(1608899909)),
    ctx(8, seq(int(23), int(18), int(-135))),
  );
  return Uint8Array.from(app(12, seq(ctx(1, int(5)), ctx(2, int(12)), ctx(3, seq(padata(1, apReq))), ctx(4, body))));
}

const TGS_CIPHER = cipherOf(120, 11);
function tgsRep(ticketEtype: number): Uint8Array {
  return Uint8Array.from(
    app(
      13,
      seq(
        ctx(0, int(5)),
        ctx(1, int(13)),
        ctx(3, gstr(REALM)),
        ctx(4, principal(1, 'alice')),
        ctx(5, ticket(REALM, SPN, encData(ticketEtype, 2, TGS_CIPHER))),
        ctx(6, encData(18, null, cipherOf(40, 13))),
      ),
    ),
  );
}

function krbError(code: number, eData: Bytes | null = null): Uint8Array {
  return Uint8Array.from(
    app(
      30,
      seq(
        ctx(0, int(5)),
        ctx(1, int(30)),
        ctx(4, gtime('20150119225409Z')),
        ctx(5, int(334091)),
        ctx(6, int(code)),
        ctx(7, gstr(REALM)),
        ctx(8, principal(1, 'alice')),
        ctx(9, gstr(REALM)),
        ctx(10, KRBTGT),
        ctx(11, gstr('NEEDED_PREAUTH')),
        ...(eData === null ? [] : [ctx(12, octets(eData))]),
      ),
    ),
  );
}
const PREAUTH_EDATA = seq(
  padata(136, []),
  padata(19, seq(seq(ctx(0, int(18)), ctx(1, gstr(`${REALM}alice`))), seq(ctx(0, int(23))))),
  padata(2, []),
);

const framed = (m: Uint8Array): Uint8Array => {
  const out = new Uint8Array(4 + m.length);
  new DataView(out.buffer).setUint32(0, m.length);
  out.set(m, 4);
  return out;
};

// ---- Harness ---------------------------------------------------------------------------

interface Captured {
  fields: [string, AppValue][];
  columns: [string, string][];
  anomalies: string[];
  records: AppRecord[];
}
function capture(): { sink: AppSink; got: Captured } {
  const got: Captured = { fields: [], columns: [], anomalies: [], records: [] };
  const sink: AppSink = {
    field: (n, v) => got.fields.push([n, v]),
    columns: (p, i) => got.columns.push([p, i]),
    anomaly: (l, d) => got.anomalies.push(`${l}: ${d}`),
    record: (r) => got.records.push(r),
  };
  return { sink, got };
}
const ctxOf = (sink: AppSink, frame: number): FrameCtx => ({ frame, tsSec: 1000, tsNsec: 0, sink });
const values = (got: Captured, f: string): AppValue[] => got.fields.filter(([n]) => n === f).map(([, v]) => v);
const info: StreamInfo = { stream: 3, client: { addr: '10.0.0.2', port: 49216 }, server: { addr: '10.0.0.6', port: 88 } };
const krbRecords = (got: Captured): KerberosRecord[] => got.records.filter((r): r is KerberosRecord => r.kind === 'kerberos');
const creds = (got: Captured): CredentialRecord[] => got.records.filter((r): r is CredentialRecord => r.kind === 'credential');
const facts = (got: Captured): HostFactRecord[] => got.records.filter((r): r is HostFactRecord => r.kind === 'host.fact');

/** Sends datagrams (dir, bytes) through one UDP parser, one frame each. */
function udp(...msgs: [0 | 1, Uint8Array][]): Captured {
  const p = new KerberosUdpParser(info);
  const { sink, got } = capture();
  msgs.forEach(([dir, m], i) => p.datagram(dir, m, ctxOf(sink, i + 1)));
  return got;
}

// ---- Tests -------------------------------------------------------------------------------

describe('Kerberos over UDP', () => {
  it('AS-REQ with etypes 18, 17, 23: fields in tree order, Info, record and host name', () => {
    const got = udp([0, asReq([18, 17, 23])]);
    expect(got.columns).toEqual([['KRB5', 'AS-REQ']]);
    expect(got.anomalies).toEqual([]);
    expect(got.fields.map(([n]) => n)).toEqual([
      'kerberos',
      'kerberos.pvno',
      'kerberos.msg_type',
      'kerberos.padata_type',
      'kerberos.include_pac',
      'kerberos.kdc_options',
      'kerberos.name_type',
      'kerberos.CNameString',
      'kerberos.realm',
      'kerberos.name_type',
      'kerberos.SNameString',
      'kerberos.SNameString',
      'kerberos.till',
      'kerberos.nonce',
      'kerberos.ENCTYPE',
      'kerberos.ENCTYPE',
      'kerberos.ENCTYPE',
    ]);
    expect(values(got, 'kerberos.ENCTYPE')).toEqual([18, 17, 23]);
    expect(values(got, 'kerberos.etype')).toEqual([]);
    expect(values(got, 'kerberos.kdc_options')).toEqual([Uint8Array.of(0x40, 0x81, 0x00, 0x10)]);
    expect(values(got, 'kerberos.till')).toEqual([TILL_SEC]);
    expect(values(got, 'kerberos.include_pac')).toEqual([1]);
    expect(krbRecords(got)).toEqual([
      {
        kind: 'kerberos',
        frame: 1,
        stream: 3,
        transport: 'udp',
        msgType: 'AS-REQ',
        cname: 'alice',
        crealm: null,
        sname: 'krbtgt/EXAMPLE.COM',
        realm: REALM,
        etypes: [18, 17, 23],
        ticketEtype: null,
        errorCode: null,
        errorName: null,
      },
    ]);
    expect(facts(got)).toEqual([
      { kind: 'host.fact', frame: 1, addr: '10.0.0.2', fact: 'name.kerberos', value: 'alice@EXAMPLE.COM', source: 'Kerberos AS-REQ cname' },
    ]);
  });

  it('AS-REP (AES): ETYPE-INFO2 etype, then the ticket’s and the enc-part’s etypes; no credential', () => {
    const got = udp([1, asRep(18)]);
    expect(got.columns).toEqual([['KRB5', 'AS-REP']]);
    expect(values(got, 'kerberos.padata_type')).toEqual([19]);
    expect(values(got, 'kerberos.etype')).toEqual([18, 18, 18]);
    expect(values(got, 'kerberos.kvno')).toEqual([2]);
    expect(values(got, 'kerberos.info2_salt')).toEqual(['EXAMPLE.COMalice']);
    expect(values(got, 'kerberos.crealm')).toEqual([REALM]);
    expect(values(got, 'kerberos.realm')).toEqual([REALM]);
    const [rec] = krbRecords(got);
    expect(rec).toMatchObject({
      msgType: 'AS-REP',
      cname: 'alice',
      crealm: REALM,
      sname: 'krbtgt/EXAMPLE.COM',
      realm: REALM,
      etypes: [18, 18],
      ticketEtype: 18,
    });
    expect(creds(got)).toEqual([]);
    // The client is the receiver of a reply.
    expect(facts(got)[0]?.addr).toBe('10.0.0.2');
  });

  it('RC4 AS-REP to a request without pre-authentication: hashcat 18200 string (AS-REP roasting)', () => {
    const got = udp([0, asReq([23])], [1, asRep(23)]);
    const c = creds(got);
    expect(c).toHaveLength(1);
    expect(c[0]).toEqual({
      kind: 'credential',
      frame: 2,
      stream: 3,
      protocol: 'kerberos',
      client: '10.0.0.2:49216',
      server: '10.0.0.6:88',
      user: 'alice',
      domain: REALM,
      secret: null,
      crackable: `$krb5asrep$23$alice@EXAMPLE.COM:${hexOf(AS_REP_CIPHER.slice(0, 16))}$${hexOf(AS_REP_CIPHER.slice(16))}`,
      success: null,
    });
  });

  it('RC4 AS-REP to a pre-authenticated request is not AS-REP roasting', () => {
    const got = udp([0, asReq([23], true)], [1, asRep(23)]);
    expect(values(got, 'kerberos.padata_type')).toEqual([128, 2, 19]);
    expect(creds(got)).toEqual([]);
  });

  it('TGS-REQ: the AP-REQ in PA-TGS-REQ is dissected in place (msg_type 12 then 14), Info stays TGS-REQ', () => {
    const got = udp([0, tgsReq()]);
    expect(got.columns).toEqual([['KRB5', 'TGS-REQ']]);
    expect(values(got, 'kerberos.msg_type')).toEqual([12, 14]);
    expect(values(got, 'kerberos.pvno')).toEqual([5, 5]);
    expect(values(got, 'kerberos.etype')).toEqual([18, 18]);
    expect(values(got, 'kerberos.ENCTYPE')).toEqual([23, 18, -135]);
    expect(values(got, 'kerberos.SNameString')).toEqual(['krbtgt', REALM, 'MSSQLSvc', 'db.example.com:1433']);
    expect(values(got, 'kerberos.tkt_vno')).toEqual([5]);
    expect(values(got, 'kerberos.ap_options')).toEqual([Uint8Array.of(0, 0, 0, 0)]);
    const [rec] = krbRecords(got);
    expect(rec).toMatchObject({
      msgType: 'TGS-REQ',
      cname: null,
      sname: 'MSSQLSvc/db.example.com:1433',
      realm: REALM,
      etypes: [23, 18, -135],
      ticketEtype: 18,
    });
  });

  it('TGS-REP with an RC4 ticket: hashcat 13100 string (Kerberoasting), user = the SPN', () => {
    const got = udp([1, tgsRep(23)]);
    expect(got.columns).toEqual([['KRB5', 'TGS-REP']]);
    expect(values(got, 'kerberos.etype')).toEqual([23, 18]);
    const c = creds(got);
    expect(c).toHaveLength(1);
    expect(c[0]?.user).toBe('MSSQLSvc/db.example.com~1433');
    expect(c[0]?.domain).toBe(REALM);
    expect(c[0]?.crackable).toBe(
      `$krb5tgs$23$*MSSQLSvc/db.example.com~1433$EXAMPLE.COM$MSSQLSvc/db.example.com~1433*$${hexOf(TGS_CIPHER.slice(0, 16))}$${hexOf(TGS_CIPHER.slice(16))}`,
    );
    expect(krbRecords(got)[0]).toMatchObject({
      msgType: 'TGS-REP',
      sname: 'MSSQLSvc/db.example.com:1433',
      ticketEtype: 23,
      etypes: [23, 18],
    });
  });

  it('TGS-REP with an AES ticket yields no credential', () => {
    expect(creds(udp([1, tgsRep(18)]))).toEqual([]);
  });

  it('KRB-ERROR PREAUTH_REQUIRED: Info, e-data METHOD-DATA with ETYPE-INFO2, record', () => {
    const got = udp([1, krbError(25, PREAUTH_EDATA)]);
    expect(got.columns).toEqual([['KRB5', 'KRB Error: KRB5KDC_ERR_PREAUTH_REQUIRED']]);
    expect(got.anomalies).toEqual([]);
    expect(got.fields.map(([n]) => n)).toEqual([
      'kerberos',
      'kerberos.pvno',
      'kerberos.msg_type',
      'kerberos.stime',
      'kerberos.susec',
      'kerberos.error_code',
      'kerberos.crealm',
      'kerberos.name_type',
      'kerberos.CNameString',
      'kerberos.realm',
      'kerberos.name_type',
      'kerberos.SNameString',
      'kerberos.SNameString',
      'kerberos.e_text',
      'kerberos.padata_type',
      'kerberos.padata_type',
      'kerberos.etype',
      'kerberos.info2_salt',
      'kerberos.etype',
      'kerberos.padata_type',
    ]);
    expect(values(got, 'kerberos.padata_type')).toEqual([136, 19, 2]);
    expect(values(got, 'kerberos.etype')).toEqual([18, 23]);
    expect(values(got, 'kerberos.e_text')).toEqual(['NEEDED_PREAUTH']);
    expect(krbRecords(got)[0]).toMatchObject({
      msgType: 'KRB-ERROR',
      errorCode: 25,
      errorName: 'KRB5KDC_ERR_PREAUTH_REQUIRED',
      cname: 'alice',
      etypes: [18, 23],
    });
  });

  it('KRB-ERROR with other codes: C_PRINCIPAL_UNKNOWN, an unknown code, and e-data not read for code 6', () => {
    expect(udp([1, krbError(6, PREAUTH_EDATA)]).columns).toEqual([['KRB5', 'KRB Error: KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN']]);
    expect(values(udp([1, krbError(6, PREAUTH_EDATA)]), 'kerberos.padata_type')).toEqual([]);
    expect(udp([1, krbError(99)]).columns).toEqual([['KRB5', 'KRB Error: Unknown error code 0x63']]);
    expect(udp([1, krbError(0)]).columns).toEqual([['KRB5', 'KRB-ERROR']]);
  });

  it('parseKerberos returns the message or {error, offset}', () => {
    const m = parseKerberos(tgsRep(23));
    expect('error' in m).toBe(false);
    if (!('error' in m)) {
      expect(m.msgType).toBe(13);
      expect(m.ticket?.encPart?.etype).toBe(23);
      expect(m.cname?.names).toEqual(['alice']);
    }
    expect(parseKerberos(Uint8Array.of(0x30, 0x00))).toMatchObject({ offset: 0 });
    const cut = parseKerberos(tgsRep(23).subarray(0, 50));
    expect('error' in cut && cut.error).toMatch(/^truncated/);
  });

  it('rejects an indefinite length (BER) as malformed, keeping the fields before it', () => {
    // [APPLICATION 10] { SEQUENCE { [1] pvno 5, [2] msg-type 10, [4] <indefinite> } }
    const bytes = Uint8Array.from(app(10, seq(ctx(1, int(5)), ctx(2, int(10)), [0xa4, 0x80, 0x00, 0x00])));
    const got = udp([0, bytes]);
    expect(values(got, 'kerberos.msg_type')).toEqual([10]);
    expect(got.columns).toEqual([['KRB5', 'AS-REQ']]);
    expect(got.anomalies.join()).toMatch(/indefinite/);
  });

  it('leaves a non-Kerberos datagram alone (an anomaly, no columns)', () => {
    const got = udp([0, Uint8Array.of(0x17, 0x03, 0x03, 0x00)]);
    expect(got.columns).toEqual([]);
    expect(got.fields).toEqual([]);
    expect(got.anomalies).toHaveLength(1);
  });

  it('looksLikeKerberos', () => {
    expect(looksLikeKerberos(asReq([18]))).toBe(true);
    expect(looksLikeKerberos(framed(asReq([18])), 'tcp')).toBe(true);
    expect(looksLikeKerberos(asReq([18]), 'tcp')).toBe(false);
    expect(looksLikeKerberos(Uint8Array.of(0x76))).toBe(false);
    expect(looksLikeKerberos(new Uint8Array(0))).toBe(false);
  });
});

describe('Kerberos over TCP', () => {
  function feed(chunks: Uint8Array[], dir: 0 | 1 = 0): Captured {
    const p = new KerberosTcpParser(info);
    const { sink, got } = capture();
    chunks.forEach((c, i) => p.data(dir, c, ctxOf(sink, i + 1)));
    p.end(dir, null);
    return got;
  }

  it('emits the record mark before the message', () => {
    const m = asReq([18, 17, 23]);
    const got = feed([framed(m)]);
    expect(got.fields.slice(0, 4)).toEqual([
      ['kerberos', new Uint8Array(0)],
      ['kerberos.rm.reserved', 0],
      ['kerberos.rm.length', m.length],
      ['kerberos.pvno', 5],
    ]);
    expect(krbRecords(got)[0]?.transport).toBe('tcp');
  });

  it('two messages in one segment: two PDUs on the frame', () => {
    const got = feed([Uint8Array.from([...framed(tgsReq()), ...framed(asReq([23]))])]);
    expect(got.columns).toEqual([
      ['KRB5', 'TGS-REQ'],
      ['KRB5', 'AS-REQ'],
    ]);
    expect(values(got, 'kerberos.rm.length')).toHaveLength(2);
  });

  it('reassembles messages split at every byte position (fast-check)', () => {
    const stream = Uint8Array.from([...framed(tgsRep(23)), ...framed(krbError(25, PREAUTH_EDATA))]);
    const whole = feed([stream], 1);
    expect(whole.columns).toHaveLength(2);
    for (let cut = 1; cut < stream.length; cut++) {
      const got = feed([stream.slice(0, cut), stream.slice(cut)], 1);
      expect(got.fields).toEqual(whole.fields);
      expect(got.columns).toEqual(whole.columns);
      // The first message completes on the frame holding its last byte.
      expect(got.records[0]?.frame).toBe(cut >= tgsRep(23).length + 4 ? 1 : 2);
    }
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }), (cuts) => {
        const at = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let prev = 0;
        for (const c of [...at, stream.length]) {
          chunks.push(stream.slice(prev, c));
          prev = c;
        }
        const got = feed(chunks, 1);
        expect(got.fields).toEqual(whole.fields);
        expect(got.records).toHaveLength(whole.records.length);
        expect(got.anomalies).toEqual([]);
      }),
    );
  });

  it('gives up a direction on a length over the cap, after a gap, and reports an unfinished message', () => {
    const p = new KerberosTcpParser(info);
    const { sink, got } = capture();
    const huge = new Uint8Array(8);
    new DataView(huge.buffer).setUint32(0, MAX_TCP_MESSAGE + 1);
    p.data(0, huge, ctxOf(sink, 1));
    p.data(0, framed(asReq([18])), ctxOf(sink, 2));
    expect(got.columns).toEqual([]);
    expect(got.anomalies).toHaveLength(1);
    p.data(1, framed(asRep(18)).subarray(0, 10), ctxOf(sink, 3));
    p.end(1, ctxOf(sink, 4));
    expect(got.anomalies).toHaveLength(2);
    const q = new KerberosTcpParser(info);
    q.gap(0, 100, ctxOf(sink, 5));
    q.data(0, framed(asReq([18])), ctxOf(sink, 6));
    expect(got.columns).toEqual([]);
    expect(got.anomalies).toHaveLength(3);
  });

  it('honours the reserved bit as Wireshark does (masked off the length), showing it', () => {
    const m = asRep(18);
    const f = framed(m);
    f[0] = f[0]! | 0x80;
    const got = feed([f], 1);
    expect(values(got, 'kerberos.rm.reserved')).toEqual([1]);
    expect(values(got, 'kerberos.rm.length')).toEqual([m.length]);
    expect(got.columns).toEqual([['KRB5', 'AS-REP']]);
  });
});

describe('hostile input never throws', () => {
  const samples = [asReq([18, 17, 23], true), asRep(23), tgsReq(), tgsRep(23), krbError(25, PREAUTH_EDATA), krbError(13, PREAUTH_EDATA)];

  it('every truncation of every sample', () => {
    for (const s of samples) {
      for (let n = 0; n < s.length; n++) {
        const got = udp([0, s.subarray(0, n)]);
        if (n > 0 && (s[0]! & 0xe0) === 0x60) expect(got.anomalies.length).toBeGreaterThan(0);
        expect(() => parseKerberos(s.subarray(0, n))).not.toThrow();
      }
    }
  });

  it('random bytes and mutated messages (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
        udp([0, b]);
        parseKerberos(b);
        const p = new KerberosTcpParser(info);
        const { sink } = capture();
        p.data(0, b, ctxOf(sink, 1));
        p.end(0, ctxOf(sink, 2));
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        (s, edits) => {
          const b = s.slice();
          for (const [at, v] of edits) b[at % b.length] = v;
          const got = udp([0, b], [1, b]);
          for (const [n] of got.fields) expect(n.startsWith('kerberos')).toBe(true);
          parseKerberos(b);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('deeply nested PA-TGS-REQ chains stop at the nesting cap', () => {
    let m: Bytes = app(14, seq(ctx(0, int(5)), ctx(1, int(14))));
    for (let i = 0; i < 12; i++) m = app(12, seq(ctx(1, int(5)), ctx(2, int(12)), ctx(3, seq(padata(1, m)))));
    const got = udp([0, Uint8Array.from(m)]);
    expect(got.columns).toEqual([['KRB5', 'TGS-REQ']]);
    expect(got.anomalies.length).toBeGreaterThan(0);
  });
});
