/**
 * `tracehound` command-line host. Thin: argument parsing, output formatting and exit
 * codes; everything else is the engine's.
 *
 * Exit codes: 0 ok, 1 usage, 2 bad input (the message names the problem and byte offset).
 */
import { parseArgs } from 'node:util';
import {
  IngestError, openTarget, CaseError, CaptureFormatError, frameDetail, listPackets, ENGINE_VERSION, formatRelative, type OpenedTarget,
  FilterError, prepareFilter, countMatches, pageMatches, packetsByFrames, fieldValues, formatDiagnostic,
  followStream, listObjects, exportObjects, hashObjects, MAX_HASH_OBJECTS, StreamNotFoundError, hostLabels,
  verifyCapture, cachedCasesFor, capturesFromFile, isCaseFile, ingestInterrupted, CaseStore, type VerifyResult,
} from '../engine/index.js';
import type { IngestProgress } from '../../shared/model.js';
import { EngineApi } from '../engine/index.js';
import { EventHub, defaultStaticDir, startServer } from '../serve/server.js';

const USAGE = `usage: tracehound <command> [options]

commands:
  ingest CAPTURE [--case FILE]           index a capture (into FILE, or the cache)
  stats TARGET [--json]                  capture summary
  packets TARGET [--offset N] [--limit N] [--json]
                                         packet list (No., Time, Source, Destination, Protocol, Length, Info)
  frame TARGET N [--json]                decoded detail tree and bytes of frame N
  filter TARGET FILTER [--count] [--fields f1,f2,...] [--offset N] [--limit N] [--json]
                                         frames matching a Wireshark display filter
  follow TARGET STREAM [--format ascii|hex|raw] [--max-bytes N] [--json]
                                         a TCP stream's conversation in order (tcp.stream numbering)
  hosts TARGET [--limit N] [--json]      hosts with their names (DNS, DHCP, NTLM, Kerberos, SNI), MACs,
                                         services, OS hints and country
  objects TARGET [--export DIR] [--id N,...] [--hashes] [--json]
                                         objects carried by the traffic (HTTP bodies) with SHA-256;
                                         --hashes adds MD5 and SHA-1 (re-extracted, then kept);
                                         --export writes them (sanitised names) into DIR
  verify TARGET [--case FILE] [--capture ID] [--json]
                                         re-hash the capture file(s) and compare with the SHA-256
                                         recorded at ingest: OK (exit 0) or MISMATCH (exit 2)
  serve [TARGET] [--port N] [--static DIR]
                                         the workbench in a browser: prints a local URL (with a
                                         per-run token) first, serves on 127.0.0.1 until Ctrl-C

TARGET is a capture (.pcap, .pcapng, .gz, .zst; indexed on first use into a cache case
keyed by its SHA-256) or a case file. Set TRACEHOUND_CACHE to move the cache.
`;

class UsageError extends Error {}

export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
  isTTY: boolean;
}

const defaultIo: CliIo = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  isTTY: Boolean(process.stderr.isTTY),
};

export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'ingest':
        return await cmdIngest(rest, io);
      case 'stats':
        return await cmdStats(rest, io);
      case 'packets':
        return await cmdPackets(rest, io);
      case 'frame':
        return await cmdFrame(rest, io);
      case 'filter':
        return await cmdFilter(rest, io);
      case 'follow':
        return await cmdFollow(rest, io);
      case 'objects':
        return await cmdObjects(rest, io);
      case 'hosts':
        return await cmdHosts(rest, io);
      case 'verify':
        return await cmdVerify(rest, io);
      case 'serve':
        return await cmdServe(rest, io);
      case '--version':
      case 'version':
        io.out(`tracehound ${ENGINE_VERSION}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return cmd === undefined ? 1 : 0;
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`tracehound: ${(e as Error).message}\n${USAGE}`);
      return 1;
    }
    if (e instanceof FilterError) {
      for (const d of e.diagnostics) io.err(`tracehound: ${formatDiagnostic(e.filter, d)}\n`);
      return 2;
    }
    if (e instanceof IngestError || e instanceof CaseError || e instanceof CaptureFormatError) {
      io.err(`tracehound: ${oneLine(e.message)}\n`);
      return 2;
    }
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR') {
      io.err(`tracehound: ${oneLine(err.message)}\n`);
      return 2;
    }
    // The disk or the case file failed under us (full, quota, read-only, I/O error, locked):
    // one line naming it, exit 2; the case stays consistent (SQLite rolled the batch back).
    const code = String(err.code ?? '');
    if (/^(ENOSPC|EFBIG|EDQUOT|EROFS|EIO|SQLITE_(FULL|IOERR|READONLY|BUSY|LOCKED|CORRUPT|NOTADB|CANTOPEN)\w*)$/.test(code)) {
      io.err(`tracehound: ${oneLine(err.message)} (${code})\n`);
      return 2;
    }
    throw e;
  }
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

function progressPrinter(io: CliIo): ((p: IngestProgress) => void) | undefined {
  if (!io.isTTY) return undefined;
  return (p) => {
    const frac = p.totalBytes ? Math.min(1, p.bytesRead / p.totalBytes) : 0;
    const width = 30;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    const eta = p.etaSeconds === null ? '' : ` ETA ${Math.ceil(p.etaSeconds)}s`;
    const line = p.phase === 'indexing' ? 'building indexes…' : `${(frac * 100).toFixed(0).padStart(3)}% ${(p.rate / 1e6).toFixed(1)} MB/s ${p.packets} packets${eta}`;
    io.err(`\r[${bar}] ${line}\x1b[K${p.phase === 'done' ? '\n' : ''}`);
  };
}

async function open(target: string | undefined, io: CliIo, caseFile?: string): Promise<OpenedTarget> {
  if (!target) throw new UsageError('missing TARGET');
  const onProgress = progressPrinter(io);
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once('SIGINT', onSig);
  try {
    return await openTarget(target, { ...(caseFile ? { caseFile } : {}), ...(onProgress ? { onProgress } : {}), signal: ac.signal });
  } finally {
    process.off('SIGINT', onSig);
  }
}

/** Warns about a capture that was read only up to a point; returns the exit code for it. */
function damageCode(t: OpenedTarget, target: string, io: CliIo): number {
  const c = t.store.capture(t.captureId);
  if (c && (c.status === 'truncated' || c.status === 'damaged')) {
    io.err(`tracehound: ${target}: ${oneLine(c.stopReason ?? 'capture damaged')} (kept ${c.packets} packets read before byte ${c.stopOffset})\n`);
    return 2;
  }
  return 0;
}

async function cmdIngest(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { case: { type: 'string' }, json: { type: 'boolean' } } });
  const t = await open(positionals[0], io, values.case);
  try {
    const c = t.store.capture(t.captureId)!;
    if (values.json) io.out(JSON.stringify({ case: t.store.path, capture: c, reused: t.ingest?.reused ?? true }, null, 2) + '\n');
    else io.out(`${c.packets} packets, ${c.bytes} bytes, sha256 ${c.sha256} → ${t.store.path}${t.ingest && !t.ingest.reused ? '' : ' (already indexed)'}\n`);
    return damageCode(t, positionals[0]!, io);
  } finally {
    t.store.close();
  }
}

async function cmdStats(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, case: { type: 'string' } } });
  const t = await open(positionals[0], io, values.case);
  try {
    const s = t.store.stats(t.captureId);
    const out = {
      packets: s.packets,
      bytes: s.bytes,
      first_ts: s.firstTs,
      last_ts: s.lastTs,
      link_types: s.linkTypes,
      tcp_conversations: s.tcpConversations,
      udp_conversations: s.udpConversations,
      ip_hosts: s.ipHosts,
      truncated: s.truncated,
      status: s.status,
      stop_offset: s.stopOffset,
      stop_reason: s.stopReason,
      sha256: s.sha256,
    };
    if (values.json) io.out(JSON.stringify(out, null, 2) + '\n');
    else for (const [k, v] of Object.entries(out)) io.out(`${k.padEnd(18)} ${Array.isArray(v) ? v.join(', ') : String(v)}\n`);
    return damageCode(t, positionals[0]!, io);
  } finally {
    t.store.close();
  }
}

function intArg(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} takes a whole number, not "${v}"`);
  return Number(v);
}

async function cmdPackets(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { json: { type: 'boolean' }, offset: { type: 'string' }, limit: { type: 'string' }, case: { type: 'string' } },
  });
  const offset = intArg(values.offset, 'offset', 0);
  const limit = intArg(values.limit, 'limit', 100);
  const t = await open(positionals[0], io, values.case);
  try {
    const cap = t.store.capture(t.captureId)!;
    const rows = listPackets(t.store, t.captureId, offset, limit);
    const first = t.store.storedPackets(t.captureId, 0, 1)[0];
    if (values.json) {
      io.out(JSON.stringify(rows.map((r) => ({ ...r, time: first ? formatRelative(r.tsSec, r.tsNsec, first.tsSec, first.tsNsec) : '0' })), null, 2) + '\n');
    } else {
      io.out(`${'No.'.padStart(7)} ${'Time'.padStart(12)} ${'Source'.padEnd(39)} ${'Destination'.padEnd(39)} ${'Protocol'.padEnd(8)} ${'Length'.padStart(6)} Info\n`);
      for (const r of rows) {
        const time = first ? formatRelative(r.tsSec, r.tsNsec, first.tsSec, first.tsNsec) : '';
        io.out(`${String(r.frame).padStart(7)} ${time.padStart(12)} ${safe(r.src).padEnd(39)} ${safe(r.dst).padEnd(39)} ${safe(r.protocol).padEnd(8)} ${String(r.length).padStart(6)} ${safe(r.info)}\n`);
      }
      if (rows.length === 0 && cap.packets > 0) io.err(`tracehound: no packets after frame ${offset} (capture has ${cap.packets})\n`);
    }
    return damageCode(t, positionals[0]!, io);
  } finally {
    t.store.close();
  }
}

/** Captured text reaches a terminal: strip control characters so it cannot drive it. */
function safe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f-\x9f]/g, '·');
}

async function cmdFrame(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, case: { type: 'string' } } });
  const n = positionals[1];
  if (n === undefined) throw new UsageError('missing frame number');
  const frame = intArg(n, 'frame', 0);
  const t = await open(positionals[0], io, values.case);
  try {
    const d = await frameDetail(t.store, t.captureId, frame);
    if (!d) throw new IngestError('no-frame', null, `no frame ${frame} in ${positionals[0]} (it has ${t.store.capture(t.captureId)?.packets ?? 0})`);
    if (values.json) io.out(JSON.stringify(d, null, 2) + '\n');
    else {
      const walk = (nodes: typeof d.tree, depth: number) => {
        for (const node of nodes) {
          io.out(`${'    '.repeat(depth)}${safe(node.label)}\n`);
          if (node.children) walk(node.children, depth + 1);
        }
      };
      walk(d.tree, 0);
      io.out('\n');
      for (let i = 0; i < d.hex.length; i += 32) {
        const line = d.hex.slice(i, i + 32);
        io.out(`${(i / 2).toString(16).padStart(4, '0')}  ${line.replace(/(..)/g, '$1 ').trim()}\n`);
      }
    }
    return damageCode(t, positionals[0]!, io);
  } finally {
    t.store.close();
  }
}

async function cmdFilter(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: {
      json: { type: 'boolean' }, count: { type: 'boolean' }, fields: { type: 'string' },
      offset: { type: 'string' }, limit: { type: 'string' }, case: { type: 'string' },
    },
  });
  const text = positionals[1];
  if (text === undefined) throw new UsageError('missing FILTER');
  const offset = intArg(values.offset, 'offset', 0);
  const limit = intArg(values.limit, 'limit', 100);
  const t = await open(positionals[0], io, values.case);
  try {
    const f = prepareFilter(t.store, t.captureId, text);
    if (values.count) {
      const n = await countMatches(t.store, t.captureId, f);
      io.out(values.json ? JSON.stringify({ count: n }) + '\n' : `${n}\n`);
      return damageCode(t, positionals[0]!, io);
    }
    const frames = await pageMatches(t.store, t.captureId, f, offset, limit);
    if (values.fields !== undefined) {
      const names = values.fields.split(',').map((x) => x.trim()).filter(Boolean);
      const rows = await fieldValues(t.store, t.captureId, frames, names);
      if (values.json) io.out(JSON.stringify(rows.map((r, i) => ({ frame: frames[i], ...Object.fromEntries(names.map((n, j) => [n, r[j]])) })), null, 2) + '\n');
      else for (const r of rows) io.out(r.map((v) => safe(v.join(','))).join('\t') + '\n');
      return damageCode(t, positionals[0]!, io);
    }
    const rows = packetsByFrames(t.store, t.captureId, frames);
    const first = t.store.storedPackets(t.captureId, 0, 1)[0];
    if (values.json) io.out(JSON.stringify(rows, null, 2) + '\n');
    else {
      for (const r of rows) {
        const time = first ? formatRelative(r.tsSec, r.tsNsec, first.tsSec, first.tsNsec) : '';
        io.out(`${String(r.frame).padStart(7)} ${time.padStart(12)} ${safe(r.src).padEnd(39)} ${safe(r.dst).padEnd(39)} ${safe(r.protocol).padEnd(8)} ${String(r.length).padStart(6)} ${safe(r.info)}\n`);
      }
    }
    return damageCode(t, positionals[0]!, io);
  } finally {
    t.store.close();
  }
}

async function cmdFollow(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { format: { type: 'string' }, 'max-bytes': { type: 'string' }, json: { type: 'boolean' }, case: { type: 'string' } },
  });
  const format = values.format ?? 'ascii';
  if (!['ascii', 'hex', 'raw'].includes(format)) throw new UsageError(`--format takes ascii, hex or raw, not "${format}"`);
  if (positionals[1] === undefined) throw new UsageError('missing STREAM (a tcp.stream number)');
  const stream = intArg(positionals[1], 'stream', 0);
  const maxBytes = intArg(values['max-bytes'], 'max-bytes', 4 * 2 ** 20);
  const t = await open(positionals[0], io, values.case);
  try {
    let f;
    try {
      f = followStream(t.store, t.captureId, stream, { maxBytes });
    } catch (e) {
      if (e instanceof StreamNotFoundError) throw new IngestError('no-stream', null, `${positionals[0]}: ${e.message}`);
      throw e;
    }
    if (values.json) {
      io.out(JSON.stringify(f, null, 2) + '\n');
      return damageCode(t, positionals[0]!, io);
    }
    if (format === 'raw') {
      for (const seg of f.segments) if (!seg.gap) io.out(Buffer.from(seg.data, 'base64').toString('latin1'));
      return damageCode(t, positionals[0]!, io);
    }
    io.out(`Follow: tcp,${format}\nFilter: tcp.stream eq ${stream}\nNode 0: ${safe(f.client.addr)}:${f.client.port}\nNode 1: ${safe(f.server.addr)}:${f.server.port}\n`);
    for (const seg of f.segments) {
      const mark = seg.dir === 0 ? '>>' : '<<';
      if (seg.gap) {
        io.out(`${mark} [${seg.gap} bytes missing in frame ${seg.frame}]\n`);
        continue;
      }
      const b = Buffer.from(seg.data, 'base64');
      if (format === 'ascii') {
        io.out(`${mark} frame ${seg.frame}, ${b.length} bytes\n`);
        // Printable ASCII and line breaks as they are, everything else as '.' (Wireshark's ASCII view).
        io.out(b.toString('latin1').replace(/[^\x20-\x7e\n\t]/g, '.').replace(/\n?$/, '\n'));
      } else {
        io.out(`${mark} frame ${seg.frame}\n`);
        for (let i = 0; i < b.length; i += 16) {
          const row = b.subarray(i, i + 16);
          const hex = [...row].map((x) => x.toString(16).padStart(2, '0')).join(' ');
          io.out(`${(seg.offset + i).toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${row.toString('latin1').replace(/[^\x20-\x7e]/g, '.')}\n`);
        }
      }
    }
    io.out(`${f.truncated ? `[window of ${maxBytes} bytes reached: --max-bytes shows more]\n` : ''}`);
    return damageCode(t, positionals[0]!, io);
  } finally {
    t.store.close();
  }
}

async function cmdObjects(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { export: { type: 'string' }, id: { type: 'string' }, json: { type: 'boolean' }, case: { type: 'string' }, hashes: { type: 'boolean' } },
  });
  const t = await open(positionals[0], io, values.case);
  try {
    const ids = values.id ? values.id.split(',').map((x) => intArg(x.trim(), 'id', 0)) : [];
    if (values.hashes) {
      // MD5 and SHA-1 are not computed at ingest: fill them in (re-extracting the bodies).
      const todo = listObjects(t.store, t.captureId).filter((o) => (!ids.length || ids.includes(o.id)) && o.complete && o.md5 === null).map((o) => o.id);
      let mismatched = 0;
      for (let i = 0; i < todo.length; i += MAX_HASH_OBJECTS) mismatched += hashObjects(t.store, t.captureId, todo.slice(i, i + MAX_HASH_OBJECTS)).mismatched.length;
      if (mismatched) io.err(`tracehound: ${mismatched} object(s) re-extracted from the capture no longer match the SHA-256 recorded at ingest: the capture changed? (run tracehound verify)\n`);
    }
    if (values.export !== undefined) {
      const written = exportObjects(t.store, t.captureId, values.export, ids);
      if (values.json) io.out(JSON.stringify(written, null, 2) + '\n');
      else for (const w of written) io.out(`${w.id}\t${w.size}\t${w.sha256}\t${safe(w.path)}\n`);
      const smb = listObjects(t.store, t.captureId).filter((o) => o.source === 'smb.file' && (!ids.length || ids.includes(o.id)));
      if (smb.length) io.err(`tracehound: ${smb.length} SMB file object(s) are listed with their hashes but not exported yet (their bytes are not re-extracted)\n`);
      return damageCode(t, positionals[0]!, io);
    }
    const rows = listObjects(t.store, t.captureId).filter((o) => !ids.length || ids.includes(o.id));
    if (values.json) io.out(JSON.stringify(rows, null, 2) + '\n');
    else {
      for (const o of rows) {
        const hashes = values.hashes ? ` ${o.md5 ?? '-'.repeat(32)} ${o.sha1 ?? '-'.repeat(40)}` : '';
        io.out(`${String(o.id).padStart(5)} ${String(o.frame).padStart(7)} ${o.source.padEnd(14)} ${String(o.size).padStart(10)} ${o.complete ? ' ' : '~'} ${o.sha256 ?? '-'.repeat(64)}${hashes} ${safe(o.mime).padEnd(28)} ${safe(o.filename ?? '')}\n`);
      }
    }
    return damageCode(t, positionals[0]!, io);
  } finally {
    t.store.close();
  }
}

/**
 * `tracehound verify TARGET`: TARGET is a case (every capture in it, or --capture ID) or a
 * capture file, looked up in --case FILE or in the cache without indexing anything (indexing
 * the file being checked would record its current hash and prove nothing).
 */
async function cmdVerify(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { case: { type: 'string' }, capture: { type: 'string' }, json: { type: 'boolean' } },
  });
  const target = positionals[0];
  if (!target) throw new UsageError('missing TARGET');
  const only = values.capture === undefined ? null : intArg(values.capture, 'capture', 0);
  const targetIsCase = isCaseFile(target);
  const cases = targetIsCase ? [target] : values.case !== undefined ? [values.case] : cachedCasesFor(target);
  const results: (VerifyResult & { case: string; captureId: number })[] = [];
  for (const c of cases) {
    if (ingestInterrupted(c)) throw new IngestError('interrupted', null, `${c}: the ingest that wrote this case was interrupted, so the case is incomplete; index the capture again`);
    const store = CaseStore.open(c, { readonly: true });
    try {
      let ids = targetIsCase ? store.captures().map((x) => x.id) : capturesFromFile(store, target);
      if (only !== null) ids = ids.filter((id) => id === only);
      for (const id of ids) results.push({ case: c, captureId: id, ...(await verifyCapture(store, id)) });
    } finally {
      store.close();
    }
  }
  if (results.length === 0) {
    const where = targetIsCase || values.case !== undefined ? cases[0]! : 'the cache';
    throw new IngestError('not-indexed', null, `${target}: no recorded capture to verify against in ${where}${targetIsCase ? '' : ' (ingest it first, or name its case with --case)'}`);
  }
  if (values.json) io.out(JSON.stringify(results, null, 2) + '\n');
  else {
    for (const r of results) {
      if (r.ok) io.out(`OK        ${safe(r.path)}  sha256 ${r.actual}  (${r.size} bytes${r.hashedBytes !== r.size ? `, first ${r.hashedBytes} hashed` : ''})\n`);
      else io.out(`MISMATCH  ${safe(r.path)}  ${safe(r.reason ?? '')}; recorded ${r.expected ?? 'none'}, now ${r.actual ?? 'unreadable'}\n`);
    }
  }
  return results.every((r) => r.ok) ? 0 : 2;
}

/**
 * `tracehound serve`: the browser host (electron/serve/server.ts) until SIGINT/SIGTERM. The URL
 * goes to stdout as the first line, once TARGET (if any) is open, so it can name the capture
 * (`&capture=HANDLE`); progress goes to stderr. The URL holds the token: it is printed for the
 * user and nowhere else.
 */
async function cmdServe(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { port: { type: 'string' }, static: { type: 'string' } },
  });
  if (positionals.length > 1) throw new UsageError('serve takes at most one TARGET');
  const port = intArg(values.port, 'port', 0);
  if (port > 65535) throw new UsageError(`--port takes 0..65535, not ${port}`);
  const target = positionals[0];
  const events = new EventHub();
  const onProgress = progressPrinter(io);
  const api = new EngineApi({
    onEvent: (e) => {
      events.publish(e);
      if (e.type === 'ingest.progress') onProgress?.(e.progress);
    },
  });
  // Signals are handled (never left to the default, which kills mid-write) until the end:
  // a terminal's Ctrl-C reaches both `npm start` and this process, and `npm start` forwards it.
  const cancel = () => void api.handlers['capture.cancel']({});
  process.on('SIGINT', cancel);
  process.on('SIGTERM', cancel);
  let server;
  try {
    server = await startServer({ api, events, port, staticDir: values.static ?? defaultStaticDir(), ...(target !== undefined ? { open: target } : {}) });
  } catch (e) {
    api.close();
    const err = e as NodeJS.ErrnoException;
    if (err.syscall === 'listen') {
      io.err(`tracehound: cannot listen on 127.0.0.1:${port}: ${err.code ?? oneLine(err.message)}\n`);
      return 2;
    }
    throw e;
  } finally {
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
  }
  io.out(`${server.url}\n`);
  io.err(`tracehound: serving on 127.0.0.1:${server.port}${target !== undefined ? ` (${oneLine(target)} open)` : ''}; Ctrl-C stops\n`);
  let stop = () => {};
  const stopped = new Promise<void>((done) => (stop = done));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    await stopped;
    await server.close();
    api.close();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return 0;
}

async function cmdHosts(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, limit: { type: 'string' }, case: { type: 'string' } } });
  const limit = intArg(values.limit, 'limit', 1000);
  const t = await open(positionals[0], io, values.case);
  try {
    const rows = hostLabels(t.store, t.captureId, { limit });
    if (values.json) io.out(JSON.stringify(rows, null, 2) + '\n');
    else {
      for (const h of rows) {
        const names = [...new Set(h.names.map((n) => n.name))].slice(0, 4).join(', ');
        const cc = h.country ? (h.country.cc === 'private' ? 'private' : h.country.cc) : '-';
        io.out(`${safe(h.addr).padEnd(39)} ${cc.padEnd(7)} ${String(h.packets).padStart(8)} pkts  ${safe(names)}${h.services.length ? `  [${safe(h.services.slice(0, 5).join(' '))}]` : ''}${h.os.length ? `  os: ${safe(h.os[0]!)}` : ''}\n`);
      }
    }
    return damageCode(t, positionals[0]!, io);
  } finally {
    t.store.close();
  }
}
