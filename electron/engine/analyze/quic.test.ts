import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { field as registryField } from '../../../shared/fields.js';
import {
  decodePacketNumber,
  deriveInitialSecrets,
  headerProtectionMask,
  looksLikeQuic,
  QuicParser,
  QUIC_V1,
  QUIC_V2,
  type QuicKeys,
} from './quic.js';
import type { AppSink, AppValue, Dir, FrameCtx } from './types.js';

// ---- helpers ----------------------------------------------------------------------------

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));

interface Captured {
  fields: [string, AppValue][];
  columns: [string, string][];
  anomalies: string[];
}

function frameCtx(frame = 1): { ctx: FrameCtx; out: Captured } {
  const out: Captured = { fields: [], columns: [], anomalies: [] };
  const sink: AppSink = {
    field: (n, v) => out.fields.push([n, v]),
    columns: (p, i) => out.columns.push([p, i]),
    anomaly: (_l, d) => out.anomalies.push(d),
    record: () => undefined,
  };
  return { ctx: { frame, tsSec: 0, tsNsec: 0, sink }, out };
}

function values(out: Captured, name: string): AppValue[] {
  return out.fields.filter(([n]) => n === name).map(([, v]) => (v instanceof Uint8Array ? toHex(v) : v));
}

function newParser(): { p: QuicParser; crypto: { dir: Dir; bytes: Uint8Array; frame: number }[] } {
  const crypto: { dir: Dir; bytes: Uint8Array; frame: number }[] = [];
  const p = new QuicParser(
    { stream: 0, client: { addr: '10.0.0.1', port: 50000 }, server: { addr: '10.0.0.2', port: 443 } },
    { onCrypto: (dir, bytes, ctx) => crypto.push({ dir, bytes: bytes.slice(), frame: ctx.frame }) },
  );
  return { p, crypto };
}

function run(p: QuicParser, dir: Dir, bytes: Uint8Array, frame = 1): Captured {
  const { ctx, out } = frameCtx(frame);
  p.datagram(dir, bytes, ctx);
  return out;
}

function varint(n: number): Uint8Array {
  if (n < 0x40) return Uint8Array.of(n);
  if (n < 0x4000) return Uint8Array.of(0x40 | (n >> 8), n & 0xff);
  return Uint8Array.of(0x80 | (n >>> 24), (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

/**
 * Builds and protects a long-header packet (RFC 9001 §5.3–5.4), the sender's side of what
 * the parser undoes. `typeBits` are the wire bits (v1 Initial 0, v2 Initial 1).
 */
function protect(o: {
  version: number;
  typeBits: number;
  dcid: Uint8Array;
  scid: Uint8Array;
  token?: Uint8Array;
  pn: number;
  pnLen: number;
  payload: Uint8Array;
  keys: QuicKeys;
  lengthVarint2?: boolean;
}): Uint8Array {
  const first = 0xc0 | (o.typeBits << 4) | (o.pnLen - 1);
  const len = o.pnLen + o.payload.length + 16;
  const lenBytes = o.lengthVarint2 === false ? varint(len) : Uint8Array.of(0x40 | (len >> 8), len & 0xff);
  const token = o.token ?? new Uint8Array(0);
  const isInitial = o.version === QUIC_V2 ? o.typeBits === 1 : o.typeBits === 0;
  const pnBytes = new Uint8Array(o.pnLen);
  for (let i = 0; i < o.pnLen; i++) pnBytes[o.pnLen - 1 - i] = (o.pn >>> (8 * i)) & 0xff;
  const header = cat(
    Uint8Array.of(first, o.version >>> 24, (o.version >> 16) & 0xff, (o.version >> 8) & 0xff, o.version & 0xff),
    Uint8Array.of(o.dcid.length),
    o.dcid,
    Uint8Array.of(o.scid.length),
    o.scid,
    isInitial ? cat(varint(token.length), token) : new Uint8Array(0),
    lenBytes,
    pnBytes,
  );
  const nonce = o.keys.iv.slice();
  for (let i = 0; i < 8; i++) nonce[11 - i]! ^= Math.floor(o.pn / 2 ** (8 * i)) & 0xff;
  const c = createCipheriv('aes-128-gcm', o.keys.key, nonce);
  c.setAAD(header);
  const body = cat(c.update(o.payload), c.final(), c.getAuthTag());
  const pkt = cat(header, body);
  const pnOffset = header.length - o.pnLen;
  const mask = headerProtectionMask(o.keys.hp, pkt.subarray(pnOffset + 4, pnOffset + 20));
  pkt[0]! ^= mask[0]! & 0x0f;
  for (let i = 0; i < o.pnLen; i++) pkt[pnOffset + i]! ^= mask[1 + i]!;
  return pkt;
}

/** The server_name of a ClientHello handshake message (RFC 8446 §4.1.2, RFC 6066 §3). */
function sniOf(hs: Uint8Array): string | null {
  const b = Buffer.from(hs);
  if (b[0] !== 1) return null;
  let o = 4 + 2 + 32;
  o += 1 + b[o]!; // session id
  o += 2 + b.readUInt16BE(o); // cipher suites
  o += 1 + b[o]!; // compression
  const end = o + 2 + b.readUInt16BE(o);
  o += 2;
  while (o + 4 <= end) {
    const type = b.readUInt16BE(o);
    const len = b.readUInt16BE(o + 2);
    if (type === 0) return b.subarray(o + 9, o + 9 + b.readUInt16BE(o + 7)).toString('latin1');
    o += 4 + len;
  }
  return null;
}

// RFC 9001 Appendix A (test vectors).
const A_DCID = hex('8394c8f03e515708');
/** A.2: the client's CRYPTO frame (a ClientHello for example.com), padded with 917 zero bytes. */
const A2_CRYPTO = hex(`
  060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868
  04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578
  616d706c652e636f6dff01000100000a00080006001d00170018001000070005
  04616c706e000500050100000000003300260024001d00209370b2c9caa47fba
  baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400
  0d0010000e0403050306030203080408050806002d00020101001c0002400100
  3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000
  75300901100f088394c8f03e51570806048000ffff`);
const A2_PAYLOAD = cat(A2_CRYPTO, new Uint8Array(917));
/** A.3: the server's Initial (ACK + CRYPTO with the ServerHello), protected. */
const A3_PACKET = hex(`
  cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a
  5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3
  dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84
  022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4
  2158407dd074ee`);
/** A.4: a Retry with token "token". */
const A4_RETRY = hex('ff000000010008f067a5502a4262b5746f6b656e04a265ba2eff4d829058fb3f0f2496ba');
/** RFC 9369 A.3: the v2 server Initial. */
const V2_A3_PACKET = hex(`
  dc6b3343cf0008f067a5502a4262b5004075d92faaf16f05d8a4398c47089698
  baeea26b91eb761d9b89237bbf87263017915358230035f7fd3945d88965cf17
  f9af6e16886c61bfc703106fbaf3cb4cfa52382dd16a393e42757507698075b2
  c984c707f0a0812d8cd5a6881eaf21ceda98f4bd23f6fe1a3e2c43edd9ce7ca8
  4bed8521e2e140`);

function a2Packet(version = QUIC_V1): Uint8Array {
  const s = deriveInitialSecrets(A_DCID, version)!;
  return protect({
    version,
    typeBits: version === QUIC_V2 ? 1 : 0,
    dcid: A_DCID,
    scid: new Uint8Array(0),
    pn: 2,
    pnLen: 4,
    payload: A2_PAYLOAD,
    keys: s.client,
  });
}

// ---- key schedule -------------------------------------------------------------------------

describe('Initial secrets (RFC 9001 A.1, RFC 9369 A.1)', () => {
  it('derives the v1 secrets and keys from DCID 8394c8f03e515708', () => {
    const s = deriveInitialSecrets(A_DCID, QUIC_V1)!;
    expect(toHex(s.initialSecret)).toBe('7db5df06e7a69e432496adedb00851923595221596ae2ae9fb8115c1e9ed0a44');
    expect(toHex(s.clientSecret)).toBe('c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea');
    expect(toHex(s.serverSecret)).toBe('3c199828fd139efd216c155ad844cc81fb82fa8d7446fa7d78be803acdda951b');
    expect(toHex(s.client.key)).toBe('1f369613dd76d5467730efcbe3b1a22d');
    expect(toHex(s.client.iv)).toBe('fa044b2f42a3fd3b46fb255c');
    expect(toHex(s.client.hp)).toBe('9f50449e04a0e810283a1e9933adedd2');
    expect(toHex(s.server.key)).toBe('cf3a5331653c364c88f0f379b6067e37');
    expect(toHex(s.server.iv)).toBe('0ac1493ca1905853b0bba03e');
    expect(toHex(s.server.hp)).toBe('c206b8d9b9f0f37644430b490eeaa314');
  });

  it('derives the v2 keys with the v2 salt and "quicv2" labels', () => {
    const s = deriveInitialSecrets(A_DCID, QUIC_V2)!;
    expect(toHex(s.client.key)).toBe('8b1a0bc121284290a29e0971b5cd045d');
    expect(toHex(s.client.iv)).toBe('91f73e2351d8fa91660e909f');
    expect(toHex(s.client.hp)).toBe('45b95e15235d6f45a6b19cbcb0294ba9');
    expect(toHex(s.server.key)).toBe('82db637861d55e1d011f19ea71d5d2a7');
    expect(toHex(s.server.iv)).toBe('dd13c276499c0249d3310652');
    expect(toHex(s.server.hp)).toBe('edf6d05c83121201b436e16877593c3a');
  });

  it('computes the A.2 header-protection mask from its sample', () => {
    const s = deriveInitialSecrets(A_DCID, QUIC_V1)!;
    expect(toHex(headerProtectionMask(s.client.hp, hex('d1b1c98dd7689fb8ec11d242b123dc9b')))).toBe('437b9aec36');
  });

  it('knows no salt for unknown versions', () => {
    expect(deriveInitialSecrets(A_DCID, 0x12345678)).toBeNull();
  });

  it('decodes truncated packet numbers (RFC 9000 A.3 example)', () => {
    expect(decodePacketNumber(0xa82f30ea, 0x9b32, 2)).toBe(0xa82f9b32);
    expect(decodePacketNumber(-1, 0, 1)).toBe(0);
    expect(decodePacketNumber(255, 0, 1)).toBe(256);
  });
});

// ---- RFC 9001 A.2 / A.3: decrypt and dissect --------------------------------------------

describe('QuicParser on the RFC 9001 Appendix A packets', () => {
  it('the test builder reproduces the protected A.2 client Initial', () => {
    const pkt = a2Packet();
    expect(pkt.length).toBe(1200);
    expect(toHex(pkt.subarray(0, 32))).toBe('c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11');
    expect(toHex(pkt.subarray(1200 - 48))).toBe(
      '7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241e221af44860018ab0856972e194cd934',
    );
  });

  it('decrypts the A.2 client Initial to a CRYPTO frame holding the ClientHello', () => {
    const { p, crypto } = newParser();
    const out = run(p, 0, a2Packet());
    expect(out.anomalies).toEqual([]);
    expect(out.fields.map(([n]) => n)).toEqual([
      'quic',
      'quic.packet_length',
      'quic.header_form',
      'quic.fixed_bit',
      'quic.long.packet_type',
      'quic.long.reserved',
      'quic.packet_number_length',
      'quic.version',
      'quic.dcil',
      'quic.dcid',
      'quic.scil',
      'quic.token_length',
      'quic.length',
      'quic.packet_number',
      'quic.frame_type',
      'quic.crypto.offset',
      'quic.crypto.length',
      'quic.frame_type',
      'quic.padding_length',
    ]);
    expect(values(out, 'quic.packet_number')).toEqual([2]);
    expect(values(out, 'quic.packet_number_length')).toEqual([3]);
    expect(values(out, 'quic.dcid')).toEqual(['8394c8f03e515708']);
    expect(values(out, 'quic.length')).toEqual([1182]);
    expect(values(out, 'quic.crypto.length')).toEqual([241]);
    expect(values(out, 'quic.padding_length')).toEqual([917]);
    expect(out.columns).toEqual([['QUIC', 'Initial, DCID=8394c8f03e515708, PKN: 2, CRYPTO, PADDING']]);
    expect(crypto).toHaveLength(1);
    expect(crypto[0]!.dir).toBe(0);
    expect(toHex(crypto[0]!.bytes)).toBe(toHex(A2_CRYPTO.subarray(4)));
    expect(sniOf(crypto[0]!.bytes)).toBe('example.com');
  });

  it('decrypts the A.3 server Initial with keys from the client DCID (ACK + ServerHello)', () => {
    const { p, crypto } = newParser();
    run(p, 0, a2Packet());
    const out = run(p, 1, A3_PACKET, 2);
    expect(out.anomalies).toEqual([]);
    expect(values(out, 'quic.scid')).toEqual(['f067a5502a4262b5']);
    expect(values(out, 'quic.packet_number')).toEqual([1]);
    expect(values(out, 'quic.frame_type')).toEqual([2, 6]);
    expect(values(out, 'quic.ack.largest_acknowledged')).toEqual([0]);
    expect(out.columns).toEqual([['QUIC', 'Initial, SCID=f067a5502a4262b5, PKN: 1, ACK, CRYPTO']]);
    expect(crypto).toHaveLength(2);
    expect(crypto[1]!.dir).toBe(1);
    expect(crypto[1]!.bytes[0]).toBe(2); // ServerHello
    expect(crypto[1]!.bytes.length).toBe(90);
  });

  it('reports a decryption failure and keeps the header fields when the keys are wrong', () => {
    const { p } = newParser();
    const pkt = a2Packet();
    pkt[pkt.length - 1]! ^= 1; // break the tag
    const out = run(p, 0, pkt);
    expect(values(out, 'quic.dcid')).toEqual(['8394c8f03e515708']);
    expect(values(out, 'quic.packet_number')).toEqual([2]);
    expect(values(out, 'quic.frame_type')).toEqual([]);
    expect(out.anomalies.join()).toMatch(/Decryption failed/);
  });

  it('handles the A.4 Retry and derives new keys from the client DCID that follows it', () => {
    const { p, crypto } = newParser();
    run(p, 0, a2Packet());
    const r = run(p, 1, A4_RETRY, 2);
    expect(values(r, 'quic.long.packet_type')).toEqual([3]);
    expect(values(r, 'quic.retry_token')).toEqual([toHex(Buffer.from('token'))]);
    expect(values(r, 'quic.retry_integrity_tag')).toEqual(['04a265ba2eff4d829058fb3f0f2496ba']);
    expect(r.columns).toEqual([['QUIC', 'Retry, SCID=f067a5502a4262b5']]);
    // RFC 9000 §17.2.5.2: the client's next Initial uses the Retry's SCID as DCID and echoes the token.
    const newDcid = hex('f067a5502a4262b5');
    const keys = deriveInitialSecrets(newDcid, QUIC_V1)!.client;
    const payload = cat(hex('06004005'), hex('0100000100'), new Uint8Array(1100));
    const pkt = protect({
      version: QUIC_V1,
      typeBits: 0,
      dcid: newDcid,
      scid: new Uint8Array(0),
      token: Buffer.from('token'),
      pn: 3,
      pnLen: 2,
      payload,
      keys,
    });
    const out = run(p, 0, pkt, 3);
    expect(out.anomalies).toEqual([]);
    expect(values(out, 'quic.token_length')).toEqual([5]);
    expect(values(out, 'quic.packet_number')).toEqual([3]);
    expect(values(out, 'quic.frame_type')).toEqual([6, 0]);
    // Same connection and CRYPTO stream: the resent ClientHello at offset 0 was already
    // delivered, so nothing new reaches the TLS parser.
    expect(crypto).toHaveLength(1);
  });
});

describe('QUIC v2 (RFC 9369)', () => {
  it('decrypts a v2 client Initial and the RFC 9369 A.3 server Initial', () => {
    const { p, crypto } = newParser();
    const c = run(p, 0, a2Packet(QUIC_V2));
    expect(c.anomalies).toEqual([]);
    expect(values(c, 'quic.long.packet_type_v2')).toEqual([1]);
    expect(values(c, 'quic.long.packet_type')).toEqual([]);
    expect(c.columns[0]![1]).toBe('Initial, DCID=8394c8f03e515708, PKN: 2, CRYPTO, PADDING');
    const s = run(p, 1, V2_A3_PACKET, 2);
    expect(s.anomalies).toEqual([]);
    expect(values(s, 'quic.version')).toEqual([QUIC_V2]);
    expect(values(s, 'quic.packet_number')).toEqual([1]);
    expect(s.columns[0]![1]).toBe('Initial, SCID=f067a5502a4262b5, PKN: 1, ACK, CRYPTO');
    expect(crypto.map((x) => x.bytes[0])).toEqual([1, 2]);
  });
});

// ---- coalescing, reassembly, short headers ----------------------------------------------

describe('coalesced packets and CRYPTO reassembly', () => {
  const dcid = hex('0001020304050607');
  const cscid = hex('c1c2c3c4');
  const sscid = hex('5a5b5c5d');
  const secrets = deriveInitialSecrets(dcid, QUIC_V1)!;
  const clientInitial = (pn: number, payload: Uint8Array): Uint8Array =>
    protect({ version: QUIC_V1, typeBits: 0, dcid, scid: cscid, pn, pnLen: 2, payload, keys: secrets.client });

  it('reads Initial + Handshake + 1-RTT in one datagram; Info describes the last packet', () => {
    const { p } = newParser();
    run(p, 0, clientInitial(0, cat(hex('060000'), new Uint8Array(1180))));
    const srvInitial = protect({
      version: QUIC_V1,
      typeBits: 0,
      dcid: cscid,
      scid: sscid,
      pn: 0,
      pnLen: 1,
      payload: cat(hex('0200000000'), hex('01')),
      keys: secrets.server,
    });
    // Handshake packet: opaque (no keys), 40 bytes of protected payload.
    const hs = cat(hex('e000000001'), Uint8Array.of(4), cscid, Uint8Array.of(4), sscid, varint(40), new Uint8Array(40).fill(0x77));
    const short = cat(hex('40'), cscid, new Uint8Array(30).fill(0x11));
    const out = run(p, 1, cat(srvInitial, hs, short), 2);
    expect(out.anomalies).toEqual([]);
    expect(values(out, 'quic.header_form')).toEqual([1, 1, 0]);
    expect(values(out, 'quic.long.packet_type')).toEqual([0, 2]);
    expect(values(out, 'quic.packet_number')).toEqual([0]);
    expect(values(out, 'quic.frame_type')).toEqual([2, 1]);
    expect(values(out, 'quic.packet_length')).toEqual([srvInitial.length, hs.length, short.length]);
    // The short header's DCID length comes from the client's SCID.
    expect(values(out, 'quic.dcid')).toEqual([toHex(cscid), toHex(cscid), toHex(cscid)]);
    expect(out.columns).toEqual([['QUIC', `Protected Payload (KP0), DCID=${toHex(cscid)}`]]);
  });

  it('stops at trailing bytes whose DCID differs (padding after the last packet)', () => {
    const { p } = newParser();
    const pkt = clientInitial(0, cat(hex('01'), new Uint8Array(1180)));
    const junk = cat(hex('c000000001'), Uint8Array.of(4), hex('deadbeef'), new Uint8Array(20));
    const out = run(p, 0, cat(pkt, junk));
    expect(values(out, 'quic.header_form')).toEqual([1]);
    expect(out.anomalies.join()).toMatch(/padding data/);
    expect(out.columns[0]![1]).toBe(`Initial, DCID=${toHex(dcid)}, SCID=${toHex(cscid)}, PKN: 0, PING, PADDING`);
  });

  it('reassembles out-of-order CRYPTO frames across Initial packets', () => {
    const { p, crypto } = newParser();
    const hello = new Uint8Array(1500).map((_, i) => i & 0xff);
    hello[0] = 1;
    const second = cat(hex('06'), varint(1000), varint(500), hello.subarray(1000), new Uint8Array(600));
    const firstPart = cat(hex('06'), varint(0), varint(1000), hello.subarray(0, 1000), new Uint8Array(100));
    run(p, 0, clientInitial(1, second), 1);
    expect(crypto).toHaveLength(0);
    run(p, 0, clientInitial(0, firstPart), 2);
    expect(crypto).toHaveLength(1);
    expect(crypto[0]!.frame).toBe(2);
    expect(toHex(crypto[0]!.bytes)).toBe(toHex(hello));
    // A retransmission delivers nothing new.
    run(p, 0, clientInitial(2, firstPart), 3);
    expect(crypto).toHaveLength(1);
  });

  it('refuses CRYPTO data far beyond the Initial cap', () => {
    const { p, crypto } = newParser();
    const out = run(p, 0, clientInitial(0, cat(hex('06'), varint(0x3fffffff), varint(4), hex('01020304'), new Uint8Array(1180))));
    expect(crypto).toHaveLength(0);
    expect(out.anomalies.join()).toMatch(/cap/);
  });

  it('flags a CRYPTO frame whose length overruns the decrypted payload, keeping what came before', () => {
    const { p, crypto } = newParser();
    const out = run(p, 0, clientInitial(0, cat(hex('01'), hex('06'), varint(0), varint(5000), new Uint8Array(1100))));
    expect(values(out, 'quic.frame_type')).toEqual([1, 6]);
    expect(values(out, 'quic.crypto.length')).toEqual([5000]);
    expect(crypto).toHaveLength(0);
    expect(out.anomalies.join()).toMatch(/malformed frame/);
    expect(out.columns[0]![1]).toMatch(/PING, CRYPTO \[Malformed Packet\]$/);
  });

  it('contains a throwing CRYPTO consumer', () => {
    const p = new QuicParser(
      { stream: 0, client: { addr: 'a', port: 1 }, server: { addr: 'b', port: 443 } },
      {
        onCrypto: () => {
          throw new Error('boom');
        },
      },
    );
    const out = run(p, 0, clientInitial(0, cat(hex('060003010203'), new Uint8Array(1100))));
    expect(out.anomalies.join()).toMatch(/boom/);
    expect(out.columns).toHaveLength(1);
  });

  it('shows a short header of an unknown connection without DCID', () => {
    const { p } = newParser();
    const out = run(p, 0, cat(hex('4b'), new Uint8Array(40)));
    expect(values(out, 'quic.header_form')).toEqual([0]);
    expect(values(out, 'quic.dcid')).toEqual([]);
    expect(out.columns).toEqual([['QUIC', 'Protected Payload (KP0)']]);
  });

  it('reads Version Negotiation', () => {
    const { p } = newParser();
    const out = run(p, 1, cat(hex('80 00000000 04'), cscid, hex('08'), dcid, hex('00000001 6b3343cf')));
    expect(values(out, 'quic.supported_version')).toEqual([1, QUIC_V2]);
    expect(out.columns).toEqual([['QUIC', `Version Negotiation, DCID=${toHex(cscid)}, SCID=${toHex(dcid)}`]]);
  });

  it('marks a truncated header malformed without throwing', () => {
    const { p } = newParser();
    const out = run(p, 0, hex('c00000000108010203'));
    expect(out.anomalies.length).toBeGreaterThan(0);
    expect(out.columns[0]![1]).toMatch(/Malformed/);
  });
});

describe('looksLikeQuic', () => {
  it('accepts v1/v2 long headers and rejects the rest', () => {
    expect(looksLikeQuic(a2Packet())).toBe(true);
    expect(looksLikeQuic(V2_A3_PACKET)).toBe(true);
    expect(looksLikeQuic(hex('4b000102030405060708090a0b0c0d'))).toBe(false); // short header
    expect(looksLikeQuic(hex('c0 12345678 08 0001020304050607 00'))).toBe(false); // unknown version
    expect(looksLikeQuic(hex('c0 00000001 30 0001020304050607 00'))).toBe(false); // DCID length 48
    expect(looksLikeQuic(hex('c0000000'))).toBe(false);
  });
});

// ---- robustness ---------------------------------------------------------------------------

describe('robustness (fast-check)', () => {
  function check(p: QuicParser, dir: Dir, bytes: Uint8Array): void {
    const out = run(p, dir, bytes);
    expect(out.columns).toHaveLength(1);
    for (const [name] of out.fields) expect(registryField(name), name).toBeDefined();
  }

  it('random datagrams never throw and emit only registry fields', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom<Dir>(0, 1), fc.uint8Array({ maxLength: 300 })), { maxLength: 8 }), (dgrams) => {
        const { p } = newParser();
        for (const [dir, b] of dgrams) check(p, dir, b);
      }),
      { numRuns: 300 },
    );
  });

  it('mutated and truncated Initials never throw', () => {
    const base = cat(a2Packet(), A3_PACKET);
    fc.assert(
      fc.property(
        fc.nat({ max: base.length }),
        fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        (cut, flips) => {
          const b = base.slice(0, cut);
          for (const [at, v] of flips) if (at < b.length) b[at] = v;
          const { p } = newParser();
          check(p, 0, a2Packet());
          check(p, 1, b);
          check(p, 0, b);
        },
      ),
      { numRuns: 200 },
    );
  });
});
