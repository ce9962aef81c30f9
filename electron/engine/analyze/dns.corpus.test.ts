/**
 * DNS / mDNS / LLMNR analyzer against tshark on the corpus captures, frame by frame.
 *
 * Our side: the project's readers and L2–L4 dissector; UDP payloads on ports 53/5353/5355 go
 * to one DnsUdpParser per conversation; for DNS over TCP (clean capture only, until the
 * framework's reassembly drives analyzers) payloads go to one DnsTcpParser per stream in frame
 * order. tshark's side: `tshark -T fields` run live with the corpus preferences. Skips with a
 * message when tshark or ../shared/corpus is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createParser, detectFormat, openCaptureStream } from '../capture/detect.js';
import type { CaptureParser } from '../capture/types.js';
import { ip4Text } from '../dissect/format.js';
import { dissectFrame, DissectState } from '../dissect/frame.js';
import { newSummary } from '../dissect/types.js';
import { CORPUS_DIR, hasCorpus, hasTshark } from '../../../test/support/shared.js';
import { DnsTcpParser, DnsUdpParser } from './dns.js';
import type { AppSink, AppValue, Dir } from './types.js';

const CAPTURES = [
  'dns-udp-queries.pcap',
  'dns-tcp-queries.pcap',
  'dns-tunnel-txt-ssh-over-dns.pcap',
  'ipv6-fragments-dns.pcap',
  'ipv6-http-icmpv6-mdns.pcap',
  'log4shell-jndi-dns-exfil-sll.pcap',
  'pcapng-2if-tsresol-ns-and-us-dns.pcapng',
  'pcapng-11if-mixed-linktypes-isb.pcapng',
  'smb2-psexec-lateral-movement-add-user.pcap',
  'sll-mixed-dns-http-dhcp.pcap',
  'scan-nmap-arp-sweep-tcp80-443-probes.pcap',
  'http-browsing-wikipedia.pcap',
  'mixed-traffic-many-protocols.pcap',
];
/** Captures whose DNS-over-TCP streams are clean (no loss, no reordering), so frame-order feeding equals reassembly. */
const TCP_CLEAN = new Set(['dns-tcp-queries.pcap']);
const PORTS = new Set([53, 5353, 5355]);
const FIELDS = ['dns.qry.name', 'dns.a', 'dns.flags.rcode', 'dns.resp.ttl', 'dns.resp.name', 'dns.aaaa', 'dns.cname', 'dns.count.answers', 'dns.response_to'] as const;
/** Separates occurrences in tshark's output (a byte no name in these captures holds). */
const AGG = '\u0001';

const skip = !hasCorpus ? `${CORPUS_DIR} is absent` : !hasTshark ? 'tshark is not installed' : '';

interface Ours {
  protocol: string;
  info: string[];
  fields: Map<string, AppValue[]>;
}

function show(name: string, v: AppValue): string {
  if (name === 'dns.a' && typeof v === 'number') return ip4Text(v);
  if (name === 'dns.aaaa' && v instanceof Uint8Array) {
    const g: string[] = [];
    for (let i = 0; i < 16; i += 2) g.push((((v[i] ?? 0) << 8) | (v[i + 1] ?? 0)).toString(16));
    return ipv6Compress(g);
  }
  return String(v);
}

/** RFC 5952 text from 8 hex groups. */
function ipv6Compress(g: string[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return g.join(':');
  return `${g.slice(0, best).join(':')}::${g.slice(best + bestLen).join(':')}`;
}

async function ours(file: string): Promise<Map<number, Ours>> {
  const out = new Map<number, Ours>();
  const stream = await openCaptureStream(join(CORPUS_DIR, file));
  const state = new DissectState();
  const s = newSummary();
  const udp = new Map<string, { parser: DnsUdpParser; first: string }>();
  const tcp = new Map<string, { parser: DnsTcpParser; first: string }>();
  let frame = 0;
  let parser: CaptureParser | null = null;
  const onRecord = (r: { data: Uint8Array; linktype: number; origlen: number; tsSec: number; tsNsec: number }): void => {
    frame++;
    state.now = r.tsSec + r.tsNsec / 1e9;
    dissectFrame(r.data, r.linktype, s, null, state, frame, r.origlen);
    if (s.ipFragment || s.payloadData === null || s.payloadLen <= 0) return;
    if (!PORTS.has(s.srcPort) && !PORTS.has(s.dstPort)) return;
    const src = s.l3 === 4 ? ip4Text(s.ip4Src) : s.ip6Src;
    const dst = s.l3 === 4 ? ip4Text(s.ip4Dst) : s.ip6Dst;
    const a = `${src}/${s.srcPort}`;
    const b = `${dst}/${s.dstPort}`;
    const key = a < b ? `${a}-${b}` : `${b}-${a}`;
    const rec: Ours = { protocol: '', info: [], fields: new Map() };
    const sink: AppSink = {
      field: (n, v) => {
        const l = rec.fields.get(n);
        if (l) l.push(v);
        else rec.fields.set(n, [v]);
      },
      columns: (p, i) => {
        rec.protocol = p;
        rec.info.push(i);
      },
      anomaly: () => {},
      record: () => {},
    };
    const ctx = { frame, tsSec: r.tsSec, tsNsec: r.tsNsec, sink };
    const payload = s.payloadData.subarray(s.payloadOffset, s.payloadOffset + s.payloadLen);
    const client = { addr: src, port: s.srcPort };
    const server = { addr: dst, port: s.dstPort };
    if (s.ipProto === 17) {
      let c = udp.get(key);
      if (!c) udp.set(key, (c = { parser: new DnsUdpParser({ stream: udp.size, client, server }, 'udp'), first: a }));
      c.parser.datagram((c.first === a ? 0 : 1) as Dir, payload, ctx);
    } else if (s.ipProto === 6 && TCP_CLEAN.has(file)) {
      let c = tcp.get(key);
      if (!c) tcp.set(key, (c = { parser: new DnsTcpParser({ stream: tcp.size, client, server }, 'tcp'), first: a }));
      c.parser.data((c.first === a ? 0 : 1) as Dir, payload, ctx);
    }
    if (rec.info.length > 0) out.set(frame, rec);
  };
  for await (const chunk of stream.chunks) {
    if (!parser) {
      const d = detectFormat(chunk);
      if (!('format' in d)) throw new Error(`${file}: not a capture`);
      parser = createParser(d.format, onRecord);
    }
    parser.push(chunk);
  }
  parser?.end();
  return out;
}

interface Theirs {
  protocol: string;
  info: string;
  fields: Map<string, string[]>;
}

function theirs(file: string): Map<number, Theirs> {
  const args = ['-n', '-o', 'tcp.reassemble_out_of_order:TRUE', '-r', join(CORPUS_DIR, file), '-Y', 'dns || mdns || llmnr', '-T', 'fields'];
  args.push('-E', `aggregator=${AGG}`, '-E', 'occurrence=a', '-e', 'frame.number', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info');
  for (const f of FIELDS) args.push('-e', f);
  const text = execFileSync('tshark', args, { encoding: 'utf8', env: { ...process.env, WIRESHARK_CONFIG_DIR: '/nonexistent' }, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  const out = new Map<number, Theirs>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const cols = line.split('\t');
    const fields = new Map<string, string[]>();
    FIELDS.forEach((f, i) => {
      const v = cols[3 + i] ?? '';
      if (v !== '') fields.set(f, v.split(AGG));
    });
    out.set(Number(cols[0]), { protocol: cols[1] ?? '', info: cols[2] ?? '', fields });
  }
  return out;
}

describe.skipIf(skip !== '')(`DNS analyzer vs tshark${skip ? ` (skipped: ${skip})` : ''}`, () => {
  for (const file of CAPTURES) {
    it.skipIf(!existsSync(join(CORPUS_DIR, file)))(file, async () => {
      const mine = await ours(file);
      const ref = theirs(file);
      const problems: string[] = [];
      for (const [frame, t] of ref) {
        const o = mine.get(frame);
        if (!o) {
          // ICMP errors quote the DNS datagram they answer; those are not fed to the analyzer,
          // and TCP is compared only on clean captures.
          if (!/^(ICMP|ICMPv6)$/.test(t.protocol) && !(t.protocol === 'DNS' && !TCP_CLEAN.has(file) && t.info.includes('TCP'))) {
            problems.push(`frame ${frame}: tshark has ${t.protocol} "${t.info}", we emitted nothing`);
          }
          continue;
        }
        if (o.protocol !== t.protocol) problems.push(`frame ${frame}: protocol ${o.protocol} vs ${t.protocol}`);
        const info = o.info.join(', ');
        if (info !== t.info.replace(/\[(Malformed Packet|Packet size limited during capture)[^\]]*\]$/, '')) problems.push(`frame ${frame}: info\n  ours:   ${info}\n  tshark: ${t.info}`);
        for (const f of FIELDS) {
          const a = (o.fields.get(f) ?? []).map((v) => show(f, v)).join(' | ');
          const b = (t.fields.get(f) ?? []).join(' | ');
          if (a !== b) problems.push(`frame ${frame}: ${f}\n  ours:   ${a}\n  tshark: ${b}`);
        }
      }
      for (const frame of mine.keys()) if (!ref.has(frame)) problems.push(`frame ${frame}: we emitted DNS, tshark did not`);
      expect(problems.slice(0, 20)).toEqual([]);
      expect(mine.size).toBeGreaterThan(0);
    }, 120_000);
  }
});
