/**
 * SMB analyzer against live tshark on the corpus captures that carry SMB1/SMB2 over TCP 445/139.
 * TCP payloads of every conversation are fed in frame order per direction with a minimal
 * in-order reassembly (as tls.corpus.test.ts does); the comparison covers the per-frame
 * nbss/smb/smb2/ntlmssp fields and, for frames Wireshark gives to NBSS/SMB/SMB2, the Info column.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { field as registryField } from '../../../shared/fields.js';
import { FrameSink, readFrames } from '../../../test/support/analyzer-corpus.js';
import { CORPUS_DIR, SCENARIO_DIR, SKIP_CORPUS, hasCorpus, hasTshark, tmpDir } from '../../../test/support/shared.js';
import { DissectState, dissectFrame } from '../dissect/frame.js';
import { newSummary } from '../dissect/types.js';
import { SMB_PORTS, SmbParser, looksLikeSmb } from './smb.js';
import type { AppValue, Dir, FrameCtx } from './types.js';

const CAPTURES = [
  'smb2-ntlmssp-login-failure-and-success.pcap',
  'smb2-ntlmssp-login-success.pcap',
  'smb2-psexec-lateral-movement-add-user.pcap',
  'smb2-lateral-copy-mimikatz-exe.pcap',
  'smb2-atsvc-remote-scheduled-task.pcap',
  'smbghost-cve-2020-0796-scan-negotiate.pcap',
  'zerologon-cve-2020-1472-smb2-dcerpc.pcap',
  'smb1-ntlmssp-osx-client.pcap',
  'smb1-dcerpc-dssetup-bigendian.cap',
  join(SCENARIO_DIR, 'spring4shell-smb-c2-drill.pcapng'),
];

const SMB_PORT_SET = new Set(SMB_PORTS);

/** Compared per frame (tshark -T fields, comma-joined occurrences). */
const FIELDS = [
  'nbss.type',
  'nbss.length',
  'smb.cmd',
  'smb.nt_status',
  'smb.flags.response',
  'smb.tid',
  'smb2.nt_status',
  'smb2.cmd',
  'smb2.flags.response',
  'smb2.msg_id',
  'smb2.tid',
  'smb2.tree',
  'smb2.share_type',
  'smb2.sesid',
  'smb2.dialect',
  'smb2.create.disposition',
  'smb2.filename',
  'smb2.create.action',
  'smb2.ioctl.function',
  'ntlmssp.messagetype',
  'ntlmssp.ntlmserverchallenge',
  'ntlmssp.ntlmv2_response.ntproofstr',
  'ntlmssp.auth.domain',
  'ntlmssp.auth.username',
  'ntlmssp.auth.hostname',
] as const;

interface Row {
  protocol: string;
  info: string;
  fields: Map<string, string>;
}

function tsharkRows(path: string): Map<number, Row> {
  const args = ['-n', '-r', path, '-o', 'tcp.reassemble_out_of_order:TRUE', '-Y', 'tcp && (nbss || smb || smb2)', '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
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

/** tshark's text for one of our values (hex fields zero-padded to their width, bytes as plain hex). */
function show(name: string, v: AppValue): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  const def = registryField(name);
  if (typeof v === 'number' && def?.base === 'hex' && def.bits !== undefined) return `0x${v.toString(16).padStart(def.bits / 4, '0')}`;
  return String(v);
}

interface Conv {
  parser: SmbParser | null;
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
      c = { parser: null, decided: false, clientKey: SMB_PORT_SET.has(s.srcPort) && !syn ? b : a, next: [-1, -1] };
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
      const serverPort = a === c.clientKey ? s.dstPort : s.srcPort;
      if (looksLikeSmb(payload) || SMB_PORT_SET.has(s.srcPort) || SMB_PORT_SET.has(s.dstPort)) c.parser = new SmbParser({ stream: 0, client: { addr: 'c', port: 0 }, server: { addr: 's', port: serverPort } });
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

/** Protocol columns that are this analyzer's; others (DCERPC, LANMAN, SVCCTL, ...) belong to the pipe consumers. */
const OURS = new Set(['NBSS', 'SMB', 'SMB2']);

describe.skipIf(skip !== '')(`SMB vs tshark on the corpus${skip ? ` (${skip})` : ''}`, () => {
  for (const name of CAPTURES) {
    const path = name.startsWith('/') ? name : join(CORPUS_DIR, name);
    it.skipIf(!existsSync(path))(`${name.split('/').at(-1) ?? name}: Protocol, Info and SMB fields per frame`, async () => {
      const want = tsharkRows(path);
      const got = await analyze(path);
      const mismatches: string[] = [];
      const frames = new Set([...want.keys(), ...[...got.entries()].filter(([, s]) => s.cols.length > 0).map(([n]) => n)]);
      for (const no of [...frames].sort((x, y) => x - y)) {
        const g = got.get(no);
        const w = want.get(no);
        const gInfo = (g?.cols ?? []).map(([, i]) => i).join(', ');
        const gProto = g?.cols.at(-1)?.[0] ?? '';
        if (w !== undefined && OURS.has(w.protocol)) {
          const wInfo = w.info.replace(/^(\[TCP [^\]]*\] )+/, '');
          if (gInfo !== wInfo || gProto !== w.protocol) mismatches.push(`frame ${no}: columns ${gProto}|${gInfo} vs tshark ${w.protocol}|${wInfo}`);
        }
        for (const f of FIELDS) {
          const gv = (g?.fields ?? []).filter(([n]) => n === f).map(([n, v]) => show(n, v)).join(',');
          const wv = w?.fields.get(f) ?? '';
          if (gv !== wv) mismatches.push(`frame ${no}: ${f} = ${gv.slice(0, 120)} vs tshark ${wv.slice(0, 120)}`);
        }
      }
      expect(mismatches).toEqual([]);
    }, 120_000);
  }
});

describe.skipIf(skip !== '')('SMB file objects vs tshark --export-objects smb', () => {
  for (const name of ['smb2-psexec-lateral-movement-add-user.pcap', 'smb2-lateral-copy-mimikatz-exe.pcap']) {
    const path = join(CORPUS_DIR, name);
    it.skipIf(!existsSync(path))(`${name}: every exported .exe has a complete SmbFileRecord with its sha256`, async () => {
      const { dir, cleanup } = tmpDir('th-smb-eo-');
      try {
        spawnSync('tshark', ['-n', '-r', path, '-o', 'tcp.reassemble_out_of_order:TRUE', '--export-objects', `smb,${dir}`], { stdio: 'ignore', env: { ...process.env, WIRESHARK_CONFIG_DIR: '/nonexistent' } });
        const want = readdirSync(dir)
          .filter((f) => /\.exe$/i.test(f))
          .map((f) => createHash('sha256').update(readFileSync(join(dir, f))).digest('hex'));
        expect(want.length).toBeGreaterThan(0);
        const got = await analyze(path);
        const ours = new Set(
          [...got.values()].flatMap((sk) => sk.records).flatMap((r) => (r.kind === 'smb.file' && r.object?.complete ? [r.object.sha256] : [])),
        );
        for (const h of want) expect(ours.has(h)).toBe(true);
      } finally {
        cleanup();
      }
    }, 120_000);
  }
});
