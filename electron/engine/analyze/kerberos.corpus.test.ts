/**
 * Kerberos analyzer against live tshark on the corpus captures with Kerberos on port 88, frame
 * by frame: Protocol and Info columns and the fields below (comma-joined occurrences, so the
 * order of repeated fields such as kerberos.etype is compared too), plus a PDML check that our
 * fields come in Wireshark's tree order.
 *
 * Our side: the project's readers and L2–L4 dissector; UDP payloads on port 88 go to one
 * KerberosUdpParser per conversation, TCP payloads to one KerberosTcpParser per stream with a
 * minimal in-order reassembly (retransmitted bytes dropped, holes reported as gaps), which is
 * what these clean captures need. Skips with a message when tshark or ../shared is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FrameSink, pdmlNames, readFrames } from '../../../test/support/analyzer-corpus.js';
import { CORPUS_DIR, SKIP_CORPUS, hasCorpus, hasTshark } from '../../../test/support/shared.js';
import { ip4Text } from '../dissect/format.js';
import { DissectState, dissectFrame } from '../dissect/frame.js';
import { newSummary } from '../dissect/types.js';
import { KERBEROS_PORTS, KerberosTcpParser, KerberosUdpParser } from './kerberos.js';
import type { AppValue, Dir, FrameCtx } from './types.js';

const CAPTURES = ['kerberos-kerberoasting-tgs-rc4.pcap', 'kerberos-kinit-pkinit.pcap', 'kerberos-tcp-vlan.pcap'];

const FIELDS = [
  'kerberos.rm.reserved',
  'kerberos.rm.length',
  'kerberos.pvno',
  'kerberos.msg_type',
  'kerberos.padata_type',
  'kerberos.include_pac',
  'kerberos.kdc_options',
  'kerberos.ap_options',
  'kerberos.name_type',
  'kerberos.CNameString',
  'kerberos.SNameString',
  'kerberos.KerberosString',
  'kerberos.realm',
  'kerberos.crealm',
  'kerberos.from',
  'kerberos.till',
  'kerberos.rtime',
  'kerberos.nonce',
  'kerberos.ENCTYPE',
  'kerberos.etype',
  'kerberos.kvno',
  'kerberos.tkt_vno',
  'kerberos.cipher',
  'kerberos.info2_salt',
  'kerberos.stime',
  'kerberos.susec',
  'kerberos.error_code',
  'kerberos.e_text',
] as const;
/** Frames Wireshark also marks malformed (a KRB-ERROR's e-data read as PA-DATA holds a METHOD-DATA). */
const MALFORMED: Record<string, number[]> = { 'kerberos-kinit-pkinit.pcap': [72] };
const TIME_FIELDS = new Set(['kerberos.from', 'kerberos.till', 'kerberos.rtime', 'kerberos.stime']);
/** Separates occurrences in tshark's output (no Kerberos string in these captures holds it). */
const AGG = '\u0001';
const PORTS = new Set(KERBEROS_PORTS);
const ENV = { ...process.env, WIRESHARK_CONFIG_DIR: '/nonexistent', TZ: 'UTC' };

interface Row {
  protocol: string;
  info: string;
  fields: Map<string, string[]>;
}

/** tshark prints absolute times as "Jan 19, 2015 22:54:59.000000000 UTC": compare as epoch seconds. */
function tsharkTime(s: string): string {
  const m = /^(\w{3}) +(\d+), (\d{4}) (\d{2}):(\d{2}):(\d{2})\.(\d+) UTC$/.exec(s);
  if (!m) return s;
  const ms = Date.parse(`${m[1]} ${m[2]}, ${m[3]} ${m[4]}:${m[5]}:${m[6]} UTC`);
  return String(ms / 1000 + Number(`0.${m[7]}`));
}

function theirs(path: string): Map<number, Row> {
  const args = [
    '-n',
    '-r',
    path,
    '-o',
    'tcp.reassemble_out_of_order:TRUE',
    '-Y',
    'kerberos',
    '-T',
    'fields',
    '-E',
    'separator=\t',
    '-E',
    'occurrence=a',
    '-E',
    `aggregator=${AGG}`,
  ];
  for (const f of ['frame.number', '_ws.col.Protocol', '_ws.col.Info', ...FIELDS]) args.push('-e', f);
  const r = spawnSync('tshark', args, { encoding: 'utf8', env: ENV, maxBuffer: 64 * 1024 * 1024 });
  const out = new Map<number, Row>();
  for (const line of r.stdout.split('\n')) {
    if (line === '') continue;
    const cols = line.split('\t');
    const fields = new Map<string, string[]>();
    FIELDS.forEach((f, i) => {
      const v = cols[i + 3] ?? '';
      fields.set(f, v === '' ? [] : v.split(AGG).map((x) => (TIME_FIELDS.has(f) ? tsharkTime(x) : x)));
    });
    out.set(Number(cols[0]), { protocol: cols[1] ?? '', info: cols[2] ?? '', fields });
  }
  return out;
}

function show(v: AppValue): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return String(v);
}

interface TcpConv {
  parser: KerberosTcpParser;
  clientKey: string;
  next: [number, number];
}

async function ours(path: string): Promise<Map<number, FrameSink>> {
  const frames = await readFrames(path);
  const state = new DissectState();
  const s = newSummary();
  const udp = new Map<string, { parser: KerberosUdpParser; first: string }>();
  const tcp = new Map<string, TcpConv>();
  const out = new Map<number, FrameSink>();
  frames.forEach((f, i) => {
    const no = i + 1;
    dissectFrame(f.data, f.linktype, s, null, state, no, f.origlen);
    if (s.ipFragment || s.payloadData === null) return;
    if (!PORTS.has(s.srcPort) && !PORTS.has(s.dstPort)) return;
    const src = s.l3 === 4 ? ip4Text(s.ip4Src) : s.ip6Src;
    const dst = s.l3 === 4 ? ip4Text(s.ip4Dst) : s.ip6Dst;
    const a = `${src}/${s.srcPort}`;
    const b = `${dst}/${s.dstPort}`;
    const key = a < b ? `${a}-${b}` : `${b}-${a}`;
    const client = { addr: src, port: s.srcPort };
    const server = { addr: dst, port: s.dstPort };
    let payload = s.payloadData.subarray(s.payloadOffset, s.payloadOffset + s.payloadLen);
    const sink = new FrameSink();
    const ctx: FrameCtx = { frame: no, tsSec: 0, tsNsec: 0, sink };
    if (s.ipProto === 17) {
      if (payload.length === 0) return;
      let c = udp.get(key);
      if (!c) udp.set(key, (c = { parser: new KerberosUdpParser({ stream: udp.size, client, server }), first: a }));
      c.parser.datagram((c.first === a ? 0 : 1) as Dir, payload, ctx);
      out.set(no, sink);
      return;
    }
    if (s.ipProto !== 6 || s.tcpFlags < 0) return;
    const syn = (s.tcpFlags & 0x12) === 0x02;
    let c = tcp.get(key);
    if (c === undefined || syn) {
      const clientKey = PORTS.has(s.srcPort) && !syn ? b : a;
      const info = clientKey === a ? { stream: tcp.size, client, server } : { stream: tcp.size, client: server, server: client };
      c = { parser: new KerberosTcpParser(info), clientKey, next: [-1, -1] };
      tcp.set(key, c);
    }
    const dir: Dir = a === c.clientKey ? 0 : 1;
    const seqAfterSyn = s.tcpSeq + (s.tcpFlags & 0x02 ? 1 : 0);
    if (c.next[dir] < 0) c.next[dir] = seqAfterSyn;
    if (payload.length === 0) return;
    const behind = (c.next[dir] - seqAfterSyn) >>> 0;
    if (behind > 0 && behind < 0x80000000) {
      if (behind >= payload.length) return;
      payload = payload.subarray(behind);
    }
    const ahead = (seqAfterSyn - c.next[dir]) >>> 0;
    if (ahead > 0 && ahead < 0x80000000) c.parser.gap(dir, ahead, ctx);
    c.parser.data(dir, payload, ctx);
    c.next[dir] = (seqAfterSyn + (behind > 0 && behind < 0x80000000 ? behind : 0) + payload.length) >>> 0;
    out.set(no, sink);
  });
  return out;
}

const skip = !hasCorpus ? SKIP_CORPUS : !hasTshark ? 'skipped: tshark is not installed' : '';

describe.skipIf(skip !== '')(`Kerberos vs tshark on the corpus${skip ? ` (${skip})` : ''}`, () => {
  for (const name of CAPTURES) {
    const path = join(CORPUS_DIR, name);
    it.skipIf(!existsSync(path))(
      `${name}: Protocol, Info and Kerberos fields per frame`,
      async () => {
        const want = theirs(path);
        const got = await ours(path);
        const problems: string[] = [];
        const frames = new Set([...want.keys(), ...[...got.entries()].filter(([, s]) => s.cols.length > 0).map(([n]) => n)]);
        for (const no of [...frames].sort((x, y) => x - y)) {
          const g = got.get(no);
          const w = want.get(no);
          const gInfo = (g?.cols ?? []).map(([, i]) => i).join(', ');
          const gProto = g?.cols.at(-1)?.[0] ?? '';
          if (gProto !== (w?.protocol ?? '') || gInfo !== (w?.info ?? ''))
            problems.push(`frame ${no}: columns ${gProto}|${gInfo} vs tshark ${w?.protocol}|${w?.info}`);
          for (const f of FIELDS) {
            const gv = (g?.fields ?? [])
              .filter(([n]) => n === f)
              .map(([, v]) => show(v))
              .join(',');
            const wv = (w?.fields.get(f) ?? []).join(',');
            if (gv !== wv) problems.push(`frame ${no}: ${f} = ${gv.slice(0, 100)} vs tshark ${wv.slice(0, 100)}`);
          }
        }
        expect(problems.slice(0, 30)).toEqual([]);
        expect(got.size).toBeGreaterThan(0);
        // No anomaly except where Wireshark flags the same bytes as malformed.
        const anomalies = [...got.entries()]
          .filter(([n]) => !(MALFORMED[name] ?? []).includes(n))
          .flatMap(([n, s]) => s.anomalies.map((a) => `frame ${n}: ${a}`));
        expect(anomalies.slice(0, 10)).toEqual([]);
      },
      120_000,
    );
  }

  it.skipIf(!existsSync(join(CORPUS_DIR, 'kerberos-kerberoasting-tgs-rc4.pcap')))(
    'kerberoasting capture: the RC4 TGS-REP yields a hashcat 13100 string',
    async () => {
      const got = await ours(join(CORPUS_DIR, 'kerberos-kerberoasting-tgs-rc4.pcap'));
      const creds = [...got.values()].flatMap((s) => s.records).filter((r) => r.kind === 'credential');
      expect(creds).toHaveLength(1);
      const c = creds[0]!;
      expect(c.kind === 'credential' && c.frame).toBe(7);
      expect(c.kind === 'credential' && c.user).toBe('HTTP/dc-mantvydas.offense.local');
      expect(c.kind === 'credential' && c.crackable).toMatch(
        /^\$krb5tgs\$23\$\*HTTP\/dc-mantvydas\.offense\.local\$OFFENSE\.LOCAL\$HTTP\/dc-mantvydas\.offense\.local\*\$a781554c06fb3f84ef83c688d73bedc0\$6f6879e2439e54b8[0-9a-f]+$/,
      );
    },
    120_000,
  );
});

/** Per frame, the field names of tshark's PDML tree in document (tree) order. */

describe.skipIf(skip !== '')('Kerberos field order vs tshark PDML', () => {
  for (const name of CAPTURES) {
    const path = join(CORPUS_DIR, name);
    it.skipIf(!existsSync(path))(
      `${name}: our fields appear in Wireshark's tree order`,
      async () => {
        const got = await ours(path);
        const want = pdmlNames(path);
        const emitted = new Set([...got.values()].flatMap((s) => s.fields.map(([n]) => n)));
        const diffs: string[] = [];
        for (const [no, sink] of got) {
          if (sink.fields.length === 0) continue;
          const mine = sink.fields.map(([n]) => n);
          const theirs = (want.get(no) ?? []).filter((n) => emitted.has(n));
          if (mine.join(' ') !== theirs.join(' ')) {
            let i = 0;
            while (mine[i] === theirs[i]) i++;
            diffs.push(`frame ${no} at field ${i}: ours ${mine.slice(i, i + 6).join(' ')} / tshark ${theirs.slice(i, i + 6).join(' ')}`);
          }
        }
        expect(diffs.slice(0, 20)).toEqual([]);
      },
      120_000,
    );
  }
});
