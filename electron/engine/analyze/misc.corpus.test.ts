/**
 * DHCP, NTP, FTP, SMTP and SSH analyzers against live tshark on the corpus, frame by frame:
 * the Protocol and Info columns and the key fields of each protocol.
 *
 * Our side: the project's readers and L2–L4 dissector; UDP payloads on 67/68 and 123 go to
 * one parser per conversation; TCP payloads on 21, 25/587 and 22 go, per direction, through
 * a minimal in-order reassembly (retransmitted bytes dropped, holes reported as gaps), which
 * is what these clean captures need. tshark's side: `tshark -T fields` with the corpus
 * preferences. Skips with a message when tshark or ../shared/corpus is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { field as registryField } from '../../../shared/fields.js';
import { FrameSink, readFrames } from '../../../test/support/analyzer-corpus.js';
import { CORPUS_DIR, SKIP_CORPUS, hasCorpus, hasTshark } from '../../../test/support/shared.js';
import { ip4Text } from '../dissect/format.js';
import { DissectState, dissectFrame } from '../dissect/frame.js';
import { newSummary } from '../dissect/types.js';
import { DhcpParser } from './dhcp.js';
import { NtpParser } from './ntp.js';
import { SshParser } from './ssh.js';
import { FtpParser, SmtpParser } from './textproto.js';
import type { AppValue, Dir, FrameCtx, StreamInfo, TcpParser, UdpParser } from './types.js';

const FIELDS: Record<string, readonly string[]> = {
  dhcp: [
    'dhcp.type',
    'dhcp.hw.type',
    'dhcp.id',
    'dhcp.flags',
    'dhcp.flags.bc',
    'dhcp.ip.client',
    'dhcp.ip.your',
    'dhcp.ip.server',
    'dhcp.ip.relay',
    'dhcp.hw.mac_addr',
    'dhcp.server',
    'dhcp.file',
    'dhcp.cookie',
    'dhcp.option.type',
    'dhcp.option.length',
    'dhcp.option.value',
    'dhcp.option.dhcp',
    'dhcp.option.hostname',
    'dhcp.option.requested_ip_address',
    'dhcp.option.dhcp_server_id',
    'dhcp.option.ip_address_lease_time',
    'dhcp.option.subnet_mask',
    'dhcp.option.router',
    'dhcp.option.domain_name_server',
    'dhcp.option.domain_name',
    'dhcp.option.vendor_class_id',
    'dhcp.option.request_list_item',
    'dhcp.option.message',
    'dhcp.option.end',
    'dhcp.option.padding',
  ],
  ntp: ['ntp.flags', 'ntp.flags.li', 'ntp.flags.vn', 'ntp.flags.mode', 'ntp.stratum', 'ntp.ppoll', 'ntp.precision', 'ntp.rootdelay', 'ntp.rootdispersion', 'ntp.refid'],
  ftp: ['ftp.request', 'ftp.response', 'ftp.request.command', 'ftp.request.arg', 'ftp.response.code', 'ftp.response.arg', 'ftp.current-working-directory', 'ftp.epsv.ip', 'ftp.epsv.port', 'ftp.passive.ip', 'ftp.passive.port'],
  smtp: ['smtp.req', 'smtp.rsp', 'smtp.command_line', 'smtp.req.command', 'smtp.req.parameter', 'smtp.response', 'smtp.response.code', 'smtp.rsp.parameter', 'smtp.auth.username', 'smtp.auth.password'],
  ssh: [
    'ssh.protocol',
    'ssh.direction',
    'ssh.packet_length',
    'ssh.padding_length',
    'ssh.message_code',
    'ssh.cookie',
    'ssh.kex_algorithms_length',
    'ssh.kex_algorithms',
    'ssh.server_host_key_algorithms',
    'ssh.encryption_algorithms_client_to_server',
    'ssh.mac_algorithms_server_to_client',
    'ssh.compression_algorithms_client_to_server',
    'ssh.languages_server_to_client',
    'ssh.first_kex_packet_follows',
    'ssh.kex.reserved',
    'ssh.kex.hassh_algorithms',
    'ssh.kex.hassh',
    'ssh.kex.hasshserver_algorithms',
    'ssh.kex.hasshserver',
    'ssh.padding_string',
  ],
};

const CAPTURES: { file: string; protos: string[] }[] = [
  { file: 'dhcp-discover-offer-request-nak-ack.pcap', protos: ['dhcp'] },
  { file: 'sll-mixed-dns-http-dhcp.pcap', protos: ['dhcp'] },
  { file: 'rawip-linktype101-ipv4-ipv6-http.pcap', protos: ['dhcp'] },
  { file: 'ipv4-fragments-udp-ntp.pcap', protos: ['ntp'] },
  { file: 'pcapng-11if-mixed-linktypes-isb.pcapng', protos: ['ntp'] },
  { file: 'ftp-anonymous-epsv-retr.pcap', protos: ['ftp'] },
  { file: 'ftp-bruteforce.pcap', protos: ['ftp'] },
  { file: 'smtp-auth-login-mail.pcap', protos: ['smtp'] },
  { file: 'smtp-zip-attachment.pcap', protos: ['smtp'] },
  { file: 'ssh-bruteforce-guessing.pcap', protos: ['ssh'] },
];

const UDP_PORTS: Record<string, readonly number[]> = { dhcp: [67, 68], ntp: [123] };
const TCP_PORTS: Record<string, readonly number[]> = { ftp: [21], smtp: [25, 587], ssh: [22] };
/** Separates occurrences in tshark's output (a byte no value in these captures holds). */
const AGG = '\u0001';

const skip = !hasCorpus ? SKIP_CORPUS : !hasTshark ? 'skipped: tshark is not installed' : '';

/** tshark's -T fields text for one of our values. */
function show(name: string, v: AppValue): string {
  const def = registryField(name);
  if (def?.type === 'ipv4' && typeof v === 'number') return ip4Text(v);
  if (def?.type === 'ether' && v instanceof Uint8Array) return [...v].map((x) => x.toString(16).padStart(2, '0')).join(':');
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'number' && def?.base === 'hex') return `0x${v.toString(16).padStart((def.bits ?? 32) / 4, '0')}`;
  if (typeof v === 'string') return v.replace(/\\/g, '\\\\').replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
  return String(v);
}

interface TcpConv {
  parser: TcpParser;
  clientKey: string;
  next: [number, number];
}

export async function analyze(path: string, protos: string[]): Promise<Map<number, FrameSink>> {
  const state = new DissectState();
  const s = newSummary();
  const udp = new Map<string, { parser: UdpParser; first: string }>();
  const tcp = new Map<string, TcpConv>();
  const out = new Map<number, FrameSink>();
  const all = await readFrames(path);
  all.forEach((f, i) => {
    const no = i + 1;
    dissectFrame(f.data, f.linktype, s, null, state, no, f.origlen);
    if (s.ipFragment || s.payloadData === null) return;
    const src = s.l3 === 4 ? ip4Text(s.ip4Src) : s.ip6Src;
    const dst = s.l3 === 4 ? ip4Text(s.ip4Dst) : s.ip6Dst;
    const a = `${src}/${s.srcPort}`;
    const b = `${dst}/${s.dstPort}`;
    const key = a < b ? `${a}-${b}` : `${b}-${a}`;
    const sink = new FrameSink();
    const ctx: FrameCtx = { frame: no, tsSec: 0, tsNsec: 0, sink };
    let payload = s.payloadData.subarray(s.payloadOffset, s.payloadOffset + s.payloadLen);
    if (s.ipProto === 17) {
      const proto = protos.find((p) => UDP_PORTS[p]?.includes(s.srcPort) || UDP_PORTS[p]?.includes(s.dstPort));
      if (!proto || payload.length === 0) return;
      let c = udp.get(key);
      if (!c) {
        const info: StreamInfo = { stream: udp.size, client: { addr: src, port: s.srcPort }, server: { addr: dst, port: s.dstPort } };
        c = { parser: proto === 'dhcp' ? new DhcpParser(info) : new NtpParser(info), first: a };
        udp.set(key, c);
      }
      c.parser.datagram((c.first === a ? 0 : 1) as Dir, payload, ctx);
      out.set(no, sink);
      return;
    }
    if (s.ipProto !== 6 || s.tcpFlags < 0) return;
    const proto = protos.find((p) => TCP_PORTS[p]?.includes(s.srcPort) || TCP_PORTS[p]?.includes(s.dstPort));
    if (!proto) return;
    let c = tcp.get(key);
    const syn = (s.tcpFlags & 0x12) === 0x02;
    if (c === undefined || syn) {
      const serverIsDst = TCP_PORTS[proto]!.includes(s.dstPort);
      const info: StreamInfo = {
        stream: tcp.size,
        client: serverIsDst ? { addr: src, port: s.srcPort } : { addr: dst, port: s.dstPort },
        server: serverIsDst ? { addr: dst, port: s.dstPort } : { addr: src, port: s.srcPort },
      };
      const parser = proto === 'ftp' ? new FtpParser(info) : proto === 'smtp' ? new SmtpParser(info) : new SshParser(info);
      c = { parser, clientKey: serverIsDst ? a : b, next: [-1, -1] };
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

interface Row {
  protocol: string;
  info: string;
  fields: Map<string, string>;
}

function tsharkRows(path: string, filter: string, names: readonly string[]): Map<number, Row> {
  const args = ['-n', '-r', path, '-o', 'tcp.reassemble_out_of_order:TRUE', '-Y', filter, '-T', 'fields', '-E', 'occurrence=a', '-E', `aggregator=${AGG}`];
  for (const f of ['frame.number', '_ws.col.Protocol', '_ws.col.Info', ...names]) args.push('-e', f);
  const r = spawnSync('tshark', args, { encoding: 'utf8', env: { ...process.env, WIRESHARK_CONFIG_DIR: '/nonexistent' }, maxBuffer: 64 * 1024 * 1024 });
  const out = new Map<number, Row>();
  for (const line of r.stdout.split('\n')) {
    if (line === '') continue;
    const cols = line.split('\t');
    const fields = new Map<string, string>();
    names.forEach((f, i) => fields.set(f, cols[i + 3] ?? ''));
    out.set(Number(cols[0]), { protocol: cols[1] ?? '', info: cols[2] ?? '', fields });
  }
  return out;
}

/** TCP's own Info prefixes and the malformed-packet suffix are not the analyzer's. */
function cleanInfo(info: string): string {
  return info.replace(/^(\[TCP [^\]]*\] ,? ?)+/, '').replace(/\[(Malformed Packet|Packet size limited during capture)[^\]]*\]$/, '');
}

describe.skipIf(skip !== '')(`DHCP, NTP, FTP, SMTP, SSH vs tshark on the corpus${skip ? ` (${skip})` : ''}`, () => {
  for (const { file, protos } of CAPTURES) {
    const path = join(CORPUS_DIR, file);
    it.skipIf(!existsSync(path))(`${file}: columns and ${protos.join(', ')} fields per frame`, async () => {
      const names = protos.flatMap((p) => FIELDS[p] ?? []);
      const want = tsharkRows(path, protos.join(' || '), names);
      const got = await analyze(path, protos);
      const problems: string[] = [];
      const frameNos = new Set([...want.keys(), ...[...got.entries()].filter(([, s]) => s.cols.length > 0).map(([n]) => n)]);
      for (const no of [...frameNos].sort((x, y) => x - y)) {
        const g = got.get(no);
        const w = want.get(no);
        // tshark rows whose columns are TCP's (a segment of a PDU still being reassembled) carry none of ours.
        const wTcp = w === undefined || w.protocol === 'TCP';
        const gInfo = (g?.cols ?? []).map(([, i]) => i).join(', ');
        const gProto = g?.cols.at(-1)?.[0] ?? '';
        // The end of an SMTP DATA body is Wireshark's IMF dissector's frame (its columns describe the message).
        const imf = w?.protocol === 'SMTP/IMF';
        // ICMP errors quote the datagram they answer; quoted headers are not fed to analyzers.
        if (g === undefined && (w?.protocol === 'ICMP' || w?.protocol === 'ICMPv6')) continue;
        if (!imf && (gProto !== (wTcp ? '' : w.protocol) || gInfo !== (wTcp ? '' : cleanInfo(w.info)))) {
          problems.push(`frame ${no}: columns ${gProto}|${gInfo} vs tshark ${wTcp ? '' : `${w.protocol}|${cleanInfo(w.info)}`}`);
        }
        for (const f of names) {
          const gv = (g?.fields ?? [])
            .filter(([n]) => n === f)
            .map(([n, v]) => show(n, v))
            .join(AGG);
          const wv = w?.fields.get(f) ?? '';
          if (gv !== wv) problems.push(`frame ${no}: ${f} = ${gv.slice(0, 160)} vs tshark ${wv.slice(0, 160)}`);
        }
      }
      expect(problems.slice(0, 30)).toEqual([]);
      expect([...got.values()].some((s) => s.cols.length > 0)).toBe(true);
    }, 120_000);
  }
});
