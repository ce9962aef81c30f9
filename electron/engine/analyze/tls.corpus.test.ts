/**
 * TLS analyzer against live tshark on the corpus captures that carry TLS over TCP.
 * TCP payloads of every conversation are fed in frame order per direction with a minimal
 * in-order reassembly (retransmitted bytes dropped, holes reported as gaps), which is what
 * the clean captures need; the comparison covers the per-frame TLS columns and key fields.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FrameSink, pdmlNames, readFrames } from '../../../test/support/analyzer-corpus.js';
import { CORPUS_DIR, SKIP_CORPUS, hasCorpus, hasTshark } from '../../../test/support/shared.js';
import { DissectState, dissectFrame } from '../dissect/frame.js';
import { newSummary } from '../dissect/types.js';
import { TlsParser, looksLikeTls } from './tls.js';
import type { AppValue, Dir, FrameCtx } from './types.js';

const CAPTURES = [
  'tls12-clienthello-sni-google.pcap',
  'tls13-clienthello-sni-curl.pcap',
  'heartbleed-cve-2014-0160-success.pcap',
  'rawip4-linktype228-tls-sni.pcap',
  'smtp-auth-login-mail.pcap',
  'mixed-traffic-many-protocols.pcap',
  'pcapng-2if-ether-sll-packet-comments-isb.pcapng',
];

const TLS_PORTS = new Set([443, 465, 993, 995, 8443]);

/** Compared per frame (tshark -T fields, comma-joined occurrences). */
const FIELDS = [
  'tls.record.content_type',
  'tls.record.opaque_type',
  'tls.record.version',
  'tls.record.length',
  'tls.handshake.type',
  'tls.handshake.extensions_server_name',
  'tls.handshake.ciphersuite',
  'tls.handshake.extension.type',
  'tls.handshake.ja3_full',
  'tls.handshake.ja3',
  'tls.handshake.ja3s_full',
  'tls.handshake.ja3s',
  'tls.handshake.certificate_length',
  'x509af.serialNumber',
  'x509sat.printableString',
  'x509sat.uTF8String',
  'x509ce.dNSName',
] as const;

interface Row {
  protocol: string;
  info: string;
  fields: Map<string, string>;
}

function tsharkRows(path: string): Map<number, Row> {
  const args = ['-n', '-r', path, '-o', 'tcp.reassemble_out_of_order:TRUE', '-Y', 'tls', '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const f of ['frame.number', '_ws.col.Protocol', '_ws.col.Info', ...FIELDS]) args.push('-e', f);
  const r = spawnSync('tshark', args, { encoding: 'utf8', env: { ...process.env, WIRESHARK_CONFIG_DIR: '/nonexistent' }, maxBuffer: 64 * 1024 * 1024 });
  const out = new Map<number, Row>();
  for (const line of r.stdout.split('\n')) {
    if (line === '') continue;
    const cols = line.split('\t');
    const fields = new Map<string, string>();
    FIELDS.forEach((f, i) => fields.set(f, cols[i + 3] ?? ''));
    out.set(Number(cols[0]), { protocol: cols[1] ?? '', info: cols[2] ?? '', fields });
  }
  return out;
}

/** tshark's text for one of our values. */
function show(name: string, v: AppValue): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'number' && (name.endsWith('.version') || name.endsWith('ciphersuite'))) return `0x${v.toString(16).padStart(4, '0')}`;
  return String(v);
}

interface Conv {
  parser: TlsParser | null;
  decided: boolean;
  clientKey: string;
  next: [number, number];
}

async function analyze(path: string): Promise<Map<number, FrameSink>> {
  const frames = await readFrames(path);
  const state = new DissectState();
  const s = newSummary();
  const convs = new Map<string, Conv>();
  const out = new Map<number, FrameSink>();
  frames.forEach((f, i) => {
    const no = i + 1;
    dissectFrame(f.data, f.linktype, s, null, state, no, f.origlen);
    if (s.ipProto !== 6 || s.tcpFlags < 0 || s.payloadData === null) return;
    const src = s.l3 === 4 ? String(s.ip4Src) : s.ip6Src;
    const dst = s.l3 === 4 ? String(s.ip4Dst) : s.ip6Dst;
    const a = `${src}/${s.srcPort}`;
    const b = `${dst}/${s.dstPort}`;
    const key = a < b ? `${a}-${b}` : `${b}-${a}`;
    let c = convs.get(key);
    const syn = (s.tcpFlags & 0x12) === 0x02;
    if (c === undefined || (syn && c.decided)) {
      c = { parser: null, decided: false, clientKey: TLS_PORTS.has(s.srcPort) && !syn ? b : a, next: [-1, -1] };
      convs.set(key, c);
    }
    const dir: Dir = a === c.clientKey ? 0 : 1;
    const seqAfterSyn = s.tcpSeq + (s.tcpFlags & 0x02 ? 1 : 0);
    if (c.next[dir] < 0) c.next[dir] = seqAfterSyn;
    let payload = s.payloadData.subarray(s.payloadOffset, s.payloadOffset + s.payloadLen);
    if (payload.length === 0) return;
    // Minimal in-order reassembly on 32-bit sequence numbers: drop what was already delivered.
    const behind = (c.next[dir] - seqAfterSyn) >>> 0;
    if (behind > 0 && behind < 0x80000000) {
      if (behind >= payload.length) return;
      payload = payload.subarray(behind);
    }
    const sink = new FrameSink();
    const ctx: FrameCtx = { frame: no, tsSec: 0, tsNsec: 0, sink };
    const ahead = (seqAfterSyn - c.next[dir]) >>> 0;
    if (!c.decided) {
      c.decided = true;
      if (looksLikeTls(payload) || TLS_PORTS.has(s.srcPort) || TLS_PORTS.has(s.dstPort)) c.parser = new TlsParser({ stream: 0, client: { addr: '', port: 0 }, server: { addr: '', port: 0 } });
    }
    if (c.parser === null) return;
    if (ahead > 0 && ahead < 0x80000000) c.parser.gap(dir, ahead, ctx);
    c.parser.data(dir, payload, ctx);
    c.next[dir] = (seqAfterSyn + (behind > 0 && behind < 0x80000000 ? behind : 0) + payload.length) >>> 0;
    out.set(no, sink);
  });
  return out;
}

const skip = !hasCorpus ? SKIP_CORPUS : !hasTshark ? 'skipped: tshark is not installed' : '';

describe.skipIf(skip !== '')(`TLS vs tshark on the corpus${skip ? ` (${skip})` : ''}`, () => {
  for (const name of CAPTURES) {
    const path = join(CORPUS_DIR, name);
    it.skipIf(!existsSync(path))(`${name}: Protocol, Info and TLS fields per frame`, async () => {
      const want = tsharkRows(path);
      const got = await analyze(path);
      const mismatches: string[] = [];
      const frames = new Set([...want.keys(), ...[...got.entries()].filter(([, s]) => s.cols.length > 0).map(([n]) => n)]);
      for (const no of [...frames].sort((x, y) => x - y)) {
        const g = got.get(no);
        // Conversations our port/heuristic choice did not hand to TLS (STARTTLS in MySQL, mid-stream
        // traffic on ports Wireshark registers) are the session layer's business, not this parser's.
        if (g === undefined) continue;
        const w = want.get(no);
        const gInfo = (g?.cols ?? []).map(([, i]) => i).join(', ');
        const gProto = g?.cols.at(-1)?.[0] ?? '';
        // tshark's TLS rows whose Info is TCP's (a record still being reassembled) have no TLS columns of ours.
        // TCP's own prefixes ("[TCP Retransmission] , ") are not the analyzer's.
        const wInfo = w === undefined || w.protocol === 'TCP' ? '' : w.info.replace(/^(\[TCP [^\]]*\] , )+/, '');
        const wProto = w === undefined || w.protocol === 'TCP' ? '' : w.protocol;
        if (gInfo !== wInfo || gProto !== wProto) mismatches.push(`frame ${no}: columns ${gProto}|${gInfo} vs tshark ${wProto}|${wInfo}`);
        // Certificates inside a stapled OCSP response (Certificate Status) are not parsed.
        const ocspOnly = w !== undefined && w.fields.get('tls.handshake.certificate_length') === '' && w.fields.get('tls.handshake.type')?.split(',').includes('22');
        for (const f of FIELDS) {
          if (ocspOnly && f.startsWith('x509')) continue;
          const gv = (g?.fields ?? []).filter(([n]) => n === f).map(([n, v]) => show(n, v)).join(',');
          const wv = w?.fields.get(f) ?? '';
          if (gv !== wv) mismatches.push(`frame ${no}: ${f} = ${gv.slice(0, 120)} vs tshark ${wv.slice(0, 120)}`);
        }
      }
      expect(mismatches).toEqual([]);
    }, 120_000);
  }
});

/** Per frame, the registry names of tshark's PDML tree in document (tree) order. */

describe.skipIf(skip !== '')('TLS field order vs tshark PDML', () => {
  for (const name of ['tls12-clienthello-sni-google.pcap', 'tls13-clienthello-sni-curl.pcap', 'heartbleed-cve-2014-0160-success.pcap']) {
    const path = join(CORPUS_DIR, name);
    it.skipIf(!existsSync(path))(`${name}: our fields appear in Wireshark's tree order`, async () => {
      const got = await analyze(path);
      const want = pdmlNames(path);
      const emitted = new Set([...got.values()].flatMap((s) => s.fields.map(([n]) => n)));
      const diffs: string[] = [];
      for (const [no, sink] of got) {
        if (sink.fields.length === 0) continue;
        const ours = sink.fields.map(([n]) => n);
        // Server Key Exchange bodies are not dissected, so its signature algorithm is not ours to order.
        const ske = sink.fields.some(([n, v]) => n === 'tls.handshake.type' && v === 12);
        const theirs = (want.get(no) ?? []).filter((n) => emitted.has(n) && !(ske && n.startsWith('tls.handshake.sig_hash_')));
        if (ours.join(' ') !== theirs.join(' ')) {
          let i = 0;
          while (ours[i] === theirs[i]) i++;
          diffs.push(`frame ${no} at field ${i}: ours ${ours.slice(i, i + 6).join(' ')} / tshark ${theirs.slice(i, i + 6).join(' ')}`);
        }
      }
      expect(diffs).toEqual([]);
    }, 120_000);
  }
});
