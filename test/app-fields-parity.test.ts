/**
 * The application analyzers' per-frame fields (TCP reassembly, HTTP, DNS, TLS, QUIC) equal
 * `tshark -T fields` on every capture of ../shared/corpus and ../shared/scenarios, run live
 * with out-of-order reassembly on. Skipped with a message where tshark or ../shared is absent.
 *
 * Known differences are listed in KNOWN with the reason; anything else fails.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { field as registryField } from '../shared/fields.js';
import { storedFields } from '../electron/engine/filter/run.js';
import { ingestCapture } from '../electron/engine/ingest/pipeline.js';
import { CaseStore } from '../electron/engine/store/case-store.js';
import { packetId } from '../electron/engine/store/schema.js';
import { CORPUS_DIR, SCENARIO_DIR, corpusFiles, hasCorpus, hasTshark, tmpDir } from './support/shared.js';

const run = promisify(execFile);

/** The fields the analyzers issue holds to tshark, frame by frame. */
export const APP_PARITY_FIELDS = [
  'tcp.stream',
  'http.request.method',
  'http.request.uri',
  'http.response.code',
  'http.host',
  'http.user_agent',
  'dns.qry.name',
  'dns.a',
  'tls.handshake.type',
  'tls.handshake.extensions_server_name',
  'tls.handshake.ja3',
  'smb2.cmd',
  'smb2.nt_status',
  'smb2.tree',
  'smb2.filename',
  'ntlmssp.auth.username',
  'ntlmssp.auth.domain',
  'ntlmssp.auth.hostname',
  'dcerpc.cn_bind_to_uuid',
  'svcctl.opnum',
  'kerberos.CNameString',
  'kerberos.etype',
] as const;

/**
 * Known, explained differences: capture → (`field` or `#frame field`) → reason. Keep it short and specific.
 */
const SPNEGO_KRB =
  'A Kerberos AP-REQ/AP-REP inside SPNEGO (SMB session setup, LDAP SASL bind) is recognised (the session is marked Kerberos) but not dissected into kerberos.* fields yet.';
const KNOWN: Record<string, Record<string, string>> = {
  'pcapng-126if-ether-sll-sll2-nrb-ldap.pcapng': { 'kerberos.etype': SPNEGO_KRB },
  'smb2-lateral-copy-mimikatz-exe.pcap': { 'kerberos.etype': SPNEGO_KRB },
  'smb2-psexec-lateral-movement-add-user.pcap': { 'kerberos.etype': SPNEGO_KRB },
  'pcap-nsec-le-http-get-to-ssh-server.pcap': Object.fromEntries(
    ['http.request.method', 'http.request.uri', 'http.host', 'http.user_agent'].map((f) => [
      f,
      'An HTTP request sent to port 22: Wireshark decodes the port as SSH; Tracehound reads HTTP wherever the bytes say HTTP (the issue asks for that).',
    ]),
  ),
  ...Object.fromEntries(
    ['pcapng-2if-ether-sll-packet-comments-isb.pcapng', 'pcapng-2if-ether-sll-packet-comments-isb.pcapng.zst'].map((f) => [
      f,
      {
        '#139 http.response.code':
          'A response cut by the snap length: Wireshark dissects the captured part of an unreassemblable segment; Tracehound counts the missing tail as lost and never completes the message.',
      },
    ]),
  ),
};

/** A stored value as `tshark -T fields` prints it. */
function tsharkText(name: string, v: number | string | Uint8Array): string {
  const def = registryField(name);
  const t = def?.type;
  if (t === 'ipv4' && typeof v === 'number') return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  // Hex-based integers print as 0x with the field's full width.
  if ((t === 'uint' || t === 'int') && def?.base === 'hex' && typeof v === 'number') return `0x${v.toString(16).padStart((def.bits ?? 32) / 4, '0')}`;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return String(v);
}

const why = !hasTshark ? '(skipped: tshark is not installed)' : !hasCorpus ? `(skipped: ${CORPUS_DIR} is absent)` : '';
const files = [
  ...corpusFiles()
    .filter((f) => !f.startsWith('broken-'))
    .map((f) => join(CORPUS_DIR, f)),
  ...(existsSync(SCENARIO_DIR) ? [join(SCENARIO_DIR, 'spring4shell-smb-c2-drill.pcapng')].filter(existsSync) : []),
];

describe.skipIf(why !== '')(`application fields equal tshark's per frame ${why}`, () => {
  const tmp = tmpDir('th-appf-');
  afterAll(() => tmp.cleanup());

  it.concurrent.each(files)('%s', async (path) => {
    const base = path.split('/').at(-1)!;
    const store = CaseStore.open(join(tmp.dir, `${base}.thcase`));
    try {
      const [r, ts] = await Promise.all([
        ingestCapture({ capturePath: path, store, dataDir: join(tmp.dir, 'data'), threads: 'inline' }),
        run(
          'tshark',
          ['-n', '-r', path, '-o', 'tcp.reassemble_out_of_order:TRUE', '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,',
            ...APP_PARITY_FIELDS.flatMap((f) => ['-e', f])],
          { maxBuffer: 1 << 28, env: { ...process.env, WIRESHARK_CONFIG_DIR: tmp.dir } },
        ),
      ]);
      const lines = ts.stdout.split('\n');
      const known = KNOWN[base] ?? {};
      const diffs: string[] = [];
      const packets = store.db.prepare('SELECT count(*) FROM packets WHERE id > ? AND id < ?').pluck().get(packetId(r.captureId, 0), packetId(r.captureId + 1, 0)) as number;
      for (let frame = 1; frame <= packets; frame++) {
        const theirs = (lines[frame - 1] ?? '').split('\t');
        const stored = storedFields(store, packetId(r.captureId, frame));
        APP_PARITY_FIELDS.forEach((name, i) => {
          if (known[name] || known[`#${frame} ${name}`]) return;
          const ours = stored.filter(([n]) => n === name).map(([, v]) => tsharkText(name, v)).join(',');
          const want = theirs[i] ?? '';
          if (ours !== want) diffs.push(`#${frame} ${name}: tshark ${JSON.stringify(want)} ours ${JSON.stringify(ours)}`);
        });
      }
      expect(diffs.slice(0, 12), `${diffs.length} differences`).toEqual([]);
    } finally {
      store.close();
    }
  }, 240_000);
});
