/**
 * The QUIC analyzer against live tshark on the corpus's IETF QUIC capture(s): per frame,
 * the quic.* header and frame fields, the Info column, and the TLS handshake messages the
 * decrypted CRYPTO frames carry. Skips when /work/shared or tshark is missing.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createParser, detectFormat, openCaptureStream } from '../capture/detect.js';
import { dissectFrame, DissectState } from '../dissect/frame.js';
import { newSummary } from '../dissect/types.js';
import { CORPUS_DIR, hasCorpus, hasTshark } from '../../../test/support/shared.js';
import { looksLikeQuic, QuicParser } from './quic.js';
import type { AppSink, AppValue, Dir } from './types.js';

const CAPTURES = ['c2-merlin-quic.pcapng'];

const FIELDS = [
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
  'quic.scid',
  'quic.token_length',
  'quic.length',
  'quic.packet_number',
  'quic.spin_bit',
  'quic.frame_type',
  'quic.padding_length',
  'quic.ack.largest_acknowledged',
  'quic.ack.ack_delay',
  'quic.ack.ack_range_count',
  'quic.ack.first_ack_range',
  'quic.crypto.offset',
  'quic.crypto.length',
];

interface Mine {
  fields: Map<string, string[]>;
  info: string | null;
  /** First byte of each TLS handshake message start handed to onCrypto in this frame. */
  hsTypes: string[];
  sni: string[];
  alpn: string[];
}

function text(name: string, v: AppValue): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'number' && (name === 'quic.version' || name === 'quic.supported_version'))
    return `0x${v.toString(16).padStart(8, '0')}`;
  return String(v);
}

/** ClientHello server_name and ALPN (RFC 6066 §3, RFC 7301 §3.1) — enough for the check; the TLS parser is not ours. */
function helloExtensions(hs: Buffer): { sni: string[]; alpn: string[] } {
  const out = { sni: [] as string[], alpn: [] as string[] };
  if (hs[0] !== 1 || hs.length < 4 + 2 + 32 + 1) return out;
  let o = 4 + 2 + 32;
  o += 1 + hs[o]!;
  o += 2 + hs.readUInt16BE(o);
  o += 1 + hs[o]!;
  const end = Math.min(hs.length, o + 2 + hs.readUInt16BE(o));
  o += 2;
  while (o + 4 <= end) {
    const type = hs.readUInt16BE(o);
    const len = hs.readUInt16BE(o + 2);
    const body = hs.subarray(o + 4, o + 4 + len);
    if (type === 0) out.sni.push(body.subarray(5, 5 + body.readUInt16BE(3)).toString('latin1'));
    if (type === 16)
      for (let i = 2; i < body.length; i += 1 + body[i]!) out.alpn.push(body.subarray(i + 1, i + 1 + body[i]!).toString('latin1'));
    o += 4 + len;
  }
  return out;
}

async function analyze(path: string): Promise<Map<number, Mine>> {
  const stream = await openCaptureStream(path);
  const recs: { data: Uint8Array; orig: number; linktype: number; sec: number; nsec: number }[] = [];
  let parser: ReturnType<typeof createParser> | null = null;
  for await (const chunk of stream.chunks) {
    if (!parser) {
      const d = detectFormat(chunk);
      if (!('format' in d)) throw new Error(`not a capture: ${path}`);
      parser = createParser(d.format, (r) =>
        recs.push({ data: r.data.slice(), orig: r.origlen, linktype: r.linktype, sec: r.tsSec, nsec: r.tsNsec }),
      );
    }
    parser.push(chunk);
  }
  parser?.end();

  const state = new DissectState();
  const s = newSummary();
  const convs = new Map<string, { p: QuicParser; a: string } | null>();
  const result = new Map<number, Mine>();
  // Handshake bytes per conversation direction, to find message starts.
  const hsBuf = new Map<string, Buffer>();
  recs.forEach((r, i) => {
    const frame = i + 1;
    dissectFrame(r.data, r.linktype, s, null, state, frame, r.orig);
    if (s.ipProto !== 17 || !s.payloadData || s.srcPort < 0) return;
    const payload = s.payloadData.subarray(s.payloadOffset, s.payloadOffset + s.payloadLen);
    const src = `${s.l3 === 4 ? s.ip4Src : s.ip6Src}|${s.srcPort}`;
    const dst = `${s.l3 === 4 ? s.ip4Dst : s.ip6Dst}|${s.dstPort}`;
    const key = src < dst ? `${src}>${dst}` : `${dst}>${src}`;
    let conv = convs.get(key);
    if (conv === undefined) {
      // The framework's dispatch: the QUIC heuristic on the first datagram, or UDP port 443.
      conv = looksLikeQuic(payload) || s.srcPort === 443 || s.dstPort === 443 ? { p: null as unknown as QuicParser, a: src } : null;
      if (conv) {
        const c = conv;
        c.p = new QuicParser(
          { stream: convs.size, client: { addr: src, port: s.srcPort }, server: { addr: dst, port: s.dstPort } },
          {
            onCrypto: (dir: Dir, bytes: Uint8Array, ctx) => {
              const k = `${key}#${dir}`;
              const buf = Buffer.concat([hsBuf.get(k) ?? Buffer.alloc(0), bytes]);
              hsBuf.set(k, buf);
              const m = result.get(ctx.frame);
              // Walk whole handshake messages (type, 24-bit length) now complete.
              let o = 0;
              while (o + 4 <= buf.length && o + 4 + buf.readUIntBE(o + 1, 3) <= buf.length) {
                const msg = buf.subarray(o, o + 4 + buf.readUIntBE(o + 1, 3));
                m?.hsTypes.push(String(msg[0]));
                const ext = helloExtensions(msg);
                m?.sni.push(...ext.sni);
                m?.alpn.push(...ext.alpn);
                o += msg.length;
              }
              hsBuf.set(k, buf.subarray(o));
            },
          },
        );
      }
      convs.set(key, conv);
    }
    if (!conv) return;
    const mine: Mine = { fields: new Map(), info: null, hsTypes: [], sni: [], alpn: [] };
    result.set(frame, mine);
    const sink: AppSink = {
      field: (n, v) => {
        const l = mine.fields.get(n) ?? [];
        l.push(text(n, v));
        mine.fields.set(n, l);
      },
      columns: (_p, info) => {
        mine.info = info;
      },
      anomaly: () => undefined,
      record: () => undefined,
    };
    conv.p.datagram(src === conv.a ? 0 : 1, payload, { frame, tsSec: r.sec, tsNsec: r.nsec, sink });
  });
  return result;
}

function tshark(path: string): Map<number, string[]> {
  const out = execFileSync(
    'tshark',
    [
      '-r',
      path,
      '-n',
      '-Y',
      'quic',
      '-T',
      'fields',
      '-E',
      'separator=\t',
      '-E',
      'occurrence=a',
      '-E',
      'aggregator=,',
      '-e',
      'frame.number',
      '-e',
      '_ws.col.Info',
      '-e',
      'tls.handshake.type',
      '-e',
      'tls.handshake.extensions_server_name',
      '-e',
      'tls.handshake.extensions_alpn_str',
      ...FIELDS.flatMap((f) => ['-e', f]),
    ],
    { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 },
  );
  const rows = new Map<number, string[]>();
  for (const line of out.toString().split('\n')) {
    if (!line) continue;
    const cells = line.split('\t');
    rows.set(Number(cells[0]), cells.slice(1));
  }
  return rows;
}

const skip = !hasCorpus ? 'corpus (/work/shared) absent' : !hasTshark ? 'tshark not installed' : '';

describe.skipIf(skip !== '')(`QUIC vs tshark on the corpus${skip ? ` (skipped: ${skip})` : ''}`, () => {
  for (const name of CAPTURES) {
    it(`${name}: quic.* fields, Info and the TLS hellos match tshark`, async () => {
      const path = join(CORPUS_DIR, name);
      const mine = await analyze(path);
      const ws = tshark(path);
      expect(ws.size).toBeGreaterThan(0);
      const diffs: string[] = [];
      let hellos = 0;
      for (const [frame, cells] of ws) {
        const m = mine.get(frame);
        if (!m) {
          diffs.push(`frame ${frame}: not analyzed`);
          continue;
        }
        const [info = '', hsType = '', sni = '', alpn = '', ...vals] = cells;
        if (m.info !== info) diffs.push(`frame ${frame} Info: ws=${info} me=${m.info}`);
        FIELDS.forEach((f, i) => {
          const w = vals[i] ?? '';
          const me = (m.fields.get(f) ?? []).join(',');
          if (w !== me) diffs.push(`frame ${frame} ${f}: ws=${w} me=${me}`);
        });
        if (hsType !== m.hsTypes.join(',')) diffs.push(`frame ${frame} tls.handshake.type: ws=${hsType} me=${m.hsTypes.join(',')}`);
        if (sni !== m.sni.join(',')) diffs.push(`frame ${frame} SNI: ws=${sni} me=${m.sni.join(',')}`);
        if (alpn !== m.alpn.join(',')) diffs.push(`frame ${frame} ALPN: ws=${alpn} me=${m.alpn.join(',')}`);
        hellos += m.hsTypes.length;
      }
      expect(diffs).toEqual([]);
      expect(hellos).toBeGreaterThanOrEqual(2);
    }, 60_000);
  }
});
