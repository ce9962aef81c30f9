/**
 * SMB analyzer on SMB2 conversations built here: header + body per [MS-SMB2] 2.2, framed in
 * Direct TCP (a zero byte and a 24-bit length), NTLMSSP in SPNEGO NegTokenResp per RFC 4178.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { md4 } from './ntlmssp.js';
import { SmbParser, looksLikeSmb, type PipeInfo } from './smb.js';
import type { AppRecord, AppSink, AppValue, CredentialRecord, Dir, FrameCtx, SmbFileRecord, SmbSessionRecord } from './types.js';

const u16le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
const u32le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
const u64le = (v: number): number[] => [...u32le(v >>> 0), ...u32le(Math.floor(v / 0x100000000))];
const utf16 = (s: string): number[] => [...Buffer.from(s, 'utf16le')];
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const SIG = [...Buffer.from('NTLMSSP\0', 'latin1')];

class TestSink implements AppSink {
  fields: [string, AppValue][] = [];
  cols: string[] = [];
  anomalies: string[] = [];
  records: AppRecord[] = [];
  field(name: string, value: AppValue): void {
    this.fields.push([name, value]);
  }
  columns(protocol: string, info: string): void {
    this.cols.push(`${protocol}|${info}`);
  }
  anomaly(layer: string, detail: string): void {
    this.anomalies.push(`${layer}: ${detail}`);
  }
  record(r: AppRecord): void {
    this.records.push(r);
  }
}

// ---- builders ------------------------------------------------------------------------------

interface Hdr {
  cmd: number;
  msgId: number;
  status?: number;
  response?: boolean;
  related?: boolean;
  tid?: number;
  sesId?: number;
  next?: number;
}

/** [MS-SMB2] 2.2.1.2 SYNC header. */
function hdr(h: Hdr): number[] {
  const flags = (h.response ? 1 : 0) | (h.related ? 4 : 0);
  const out = [0xfe, 0x53, 0x4d, 0x42, ...u16le(64), 0, 0, ...u32le(h.status ?? 0), ...u16le(h.cmd), 1, 0, ...u32le(flags), ...u32le(h.next ?? 0)];
  out.push(...u64le(h.msgId), ...u32le(0), ...u32le(h.tid ?? 0), ...u64le(h.sesId ?? 0), ...new Array<number>(16).fill(0));
  return out;
}

/** One command: header then body; `tail` bytes follow the fixed body (offsets computed from 64 + body length). */
function cmd(h: Hdr, body: (tailOff: number) => number[], tail: number[] = []): number[] {
  const b = body(64 + body(0).length);
  return [...hdr(h), ...b, ...tail];
}

/** Compound: pads each command to 8 bytes and sets NextCommand ([MS-SMB2] 3.2.4.1.4). */
function compound(parts: number[][]): number[] {
  const out: number[] = [];
  parts.forEach((p, i) => {
    const padded = [...p];
    while (i < parts.length - 1 && padded.length % 8 !== 0) padded.push(0);
    if (i < parts.length - 1) padded.splice(20, 4, ...u32le(padded.length));
    out.push(...padded);
  });
  return out;
}

function nbss(msg: number[]): Uint8Array {
  return new Uint8Array([0, (msg.length >> 16) & 0xff, (msg.length >> 8) & 0xff, msg.length & 0xff, ...msg]);
}

function tlv(tag: number, content: number[]): number[] {
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return [tag, ...len, ...content];
}
/** SPNEGO NegTokenResp { responseToken } carrying an NTLMSSP message. */
const spnego = (tok: number[]): number[] => tlv(0xa1, tlv(0x30, tlv(0xa2, tlv(0x04, tok))));

function ntlmNegotiate(): number[] {
  return [...SIG, ...u32le(1), ...u32le(0x00088207), ...new Array<number>(16).fill(0)];
}
function ntlmChallenge(chal: number[]): number[] {
  const av = [...u16le(1), ...u16le(10), ...utf16('FILES'), ...u16le(3), ...u16le(20), ...utf16('files.corp'), 0, 0, 0, 0];
  return [...SIG, ...u32le(2), 0, 0, 0, 0, ...u32le(56), ...u32le(0x00088205), ...chal, ...new Array<number>(8).fill(0), ...u16le(av.length), ...u16le(av.length), ...u32le(56), ...new Array<number>(8).fill(0), ...av];
}
function ntlmAuth(user: string, domain: string, host: string, lm: number[], nt: number[]): number[] {
  const bufs = [lm, nt, utf16(domain), utf16(user), utf16(host), []];
  const h = [...SIG, ...u32le(3)];
  let off = 72;
  for (const b of bufs) {
    h.push(...u16le(b.length), ...u16le(b.length), ...u32le(off));
    off += b.length;
  }
  h.push(...u32le(0x00088205));
  while (h.length < 72) h.push(0);
  return [...h, ...bufs.flat()];
}

/** [MS-NLMP] 3.3.2 NTLMv2 from the password: NTProofStr ‖ temp. */
function ntlmv2Response(password: string, user: string, domain: string, serverChallenge: number[]): number[] {
  const ntowf = md4(Buffer.from(password, 'utf16le'));
  const key = createHmac('md5', ntowf).update(Buffer.from(user.toUpperCase() + domain, 'utf16le')).digest();
  const temp = [1, 1, 0, 0, 0, 0, 0, 0, ...u64le(0x01d85a0000000000), 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0];
  const proof = createHmac('md5', key).update(Buffer.from(serverChallenge)).update(Buffer.from(temp)).digest();
  return [...proof, ...temp];
}

const setupReq = (msgId: number, sesId: number, tok: number[]): number[] => {
  const blob = spnego(tok);
  return cmd({ cmd: 1, msgId, sesId }, (t) => [...u16le(25), 0, 1, ...u32le(0), ...u32le(0), ...u16le(t), ...u16le(blob.length), ...u64le(0)], blob);
};
const setupResp = (msgId: number, sesId: number, status: number, flags: number, tok: number[] | null): number[] => {
  const blob = tok === null ? [] : spnego(tok);
  return cmd({ cmd: 1, msgId, sesId, status, response: true }, (t) => [...u16le(9), ...u16le(flags), ...u16le(blob.length ? t : 0), ...u16le(blob.length)], blob);
};
const treeReq = (msgId: number, sesId: number, path: string): number[] => cmd({ cmd: 3, msgId, sesId }, (t) => [...u16le(9), 0, 0, ...u16le(t), ...u16le(utf16(path).length)], utf16(path));
const treeResp = (msgId: number, sesId: number, tid: number, shareType: number): number[] =>
  cmd({ cmd: 3, msgId, sesId, tid, response: true }, () => [...u16le(16), shareType, 0, ...u32le(0), ...u32le(0), ...u32le(0x1f01ff)]);
const createReq = (h: Hdr, name: string, disposition: number, options = 0): number[] =>
  cmd({ ...h, cmd: 5 }, (t) => [...u16le(57), 0, 0, ...u32le(2), ...u64le(0), ...u64le(0), ...u32le(0x12019f), ...u32le(0x80), ...u32le(7), ...u32le(disposition), ...u32le(options), ...u16le(t), ...u16le(utf16(name).length), ...u32le(0), ...u32le(0)], utf16(name));
const fidBytes = (n: number): number[] => [...u64le(n), ...u64le(n + 0x100)];
const SENTINEL = new Array<number>(16).fill(0xff);
const createResp = (h: Hdr, fid: number[], action: number): number[] =>
  cmd({ ...h, cmd: 5, response: true }, () => [...u16le(89), 0, 0, ...u32le(action), ...new Array<number>(32).fill(0), ...u64le(0), ...u64le(0), ...u32le(0x80), ...u32le(0), ...fid, ...u32le(0), ...u32le(0)]);
const writeReq = (h: Hdr, fid: number[], offset: number, data: number[]): number[] =>
  cmd({ ...h, cmd: 9 }, (t) => [...u16le(49), ...u16le(t), ...u32le(data.length), ...u64le(offset), ...fid, ...u32le(0), ...u32le(0), ...u16le(0), ...u16le(0), ...u32le(0)], data);
const writeResp = (h: Hdr, n: number): number[] => cmd({ ...h, cmd: 9, response: true }, () => [...u16le(17), 0, 0, ...u32le(n), ...u32le(0), 0, 0, 0, 0]);
const readReq = (h: Hdr, fid: number[], offset: number, len: number): number[] =>
  cmd({ ...h, cmd: 8 }, () => [...u16le(49), 0, 0, ...u32le(len), ...u64le(offset), ...fid, ...u32le(0), ...u32le(0), ...u32le(0), ...u16le(0), ...u16le(0), 0]);
const readResp = (h: Hdr, data: number[]): number[] => cmd({ ...h, cmd: 8, response: true }, (t) => [...u16le(17), t, 0, ...u32le(data.length), ...u32le(0), ...u32le(0)], data);
const closeReq = (h: Hdr, fid: number[]): number[] => cmd({ ...h, cmd: 6 }, () => [...u16le(24), ...u16le(0), ...u32le(0), ...fid]);
const closeResp = (h: Hdr): number[] => cmd({ ...h, cmd: 6, response: true }, () => [...u16le(60), ...u16le(0), ...u32le(0), ...new Array<number>(52).fill(0)]);
const ioctlReq = (h: Hdr, fid: number[], input: number[]): number[] =>
  cmd({ ...h, cmd: 11 }, (t) => [...u16le(57), 0, 0, ...u32le(0x0011c017), ...fid, ...u32le(t), ...u32le(input.length), ...u32le(0), ...u32le(0), ...u32le(0), ...u32le(1024), ...u32le(1), ...u32le(0)], input);
const ioctlResp = (h: Hdr, fid: number[], output: number[]): number[] =>
  cmd({ ...h, cmd: 11, response: true }, (t) => [...u16le(49), 0, 0, ...u32le(0x0011c017), ...fid, ...u32le(t), ...u32le(0), ...u32le(t), ...u32le(output.length), ...u32le(0), ...u32le(0)], output);

// ---- driver ------------------------------------------------------------------------------------

class Conv {
  frame = 0;
  readonly sinks: TestSink[] = [];
  readonly pipes: { pipe: PipeInfo; dir: Dir; bytes: string }[] = [];
  readonly p = new SmbParser(
    { stream: 3, client: { addr: '10.0.0.2', port: 50000 }, server: { addr: '10.0.0.1', port: 445 } },
    { onPipe: (pipe, dir, bytes) => this.pipes.push({ pipe, dir, bytes: hex(bytes) }) },
  );
  send(dir: Dir, msg: number[] | Uint8Array): TestSink {
    const sink = new TestSink();
    this.sinks.push(sink);
    const ctx: FrameCtx = { frame: ++this.frame, tsSec: 0, tsNsec: 0, sink };
    this.p.data(dir, msg instanceof Uint8Array ? msg : nbss(msg), ctx);
    return sink;
  }
  finish(): TestSink {
    const sink = new TestSink();
    this.sinks.push(sink);
    const ctx: FrameCtx = { frame: this.frame, tsSec: 0, tsNsec: 0, sink };
    this.p.end(0, ctx);
    this.p.end(1, ctx);
    return sink;
  }
  records<K extends AppRecord['kind']>(kind: K): Extract<AppRecord, { kind: K }>[] {
    return this.sinks.flatMap((s) => s.records).filter((r): r is Extract<AppRecord, { kind: K }> => r.kind === kind);
  }
}

const CHAL = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];

/** NEGOTIATE → CHALLENGE → AUTHENTICATE → final status, on a new session id. */
function login(c: Conv, msgId: number, sesId: number, user: string, password: string, status: number, flags = 0): void {
  c.send(0, setupReq(msgId, 0, ntlmNegotiate()));
  c.send(1, setupResp(msgId, sesId, 0xc0000016, 0, ntlmChallenge(CHAL)));
  c.send(0, setupReq(msgId + 1, sesId, ntlmAuth(user, 'CORP', 'WS7', new Array<number>(24).fill(0), ntlmv2Response(password, user, 'CORP', CHAL))));
  c.send(1, setupResp(msgId + 1, sesId, status, flags, null));
}

describe('SmbParser: sessions and NTLMSSP', () => {
  it('records a failed login then a successful one, with verifiable NetNTLMv2 strings', () => {
    const c = new Conv();
    login(c, 1, 0x1001, 'alice', 'wrong', 0xc000006d);
    login(c, 3, 0x1005, 'alice', 'S3cret!', 0);
    const ses = c.records('smb.session');
    expect(ses.map((s: SmbSessionRecord) => [s.sessionId, s.user, s.domain, s.host, s.auth, s.statusName, s.success])).toEqual([
      ['0000000000001001', 'alice', 'CORP', 'WS7', 'NTLMv2', 'STATUS_LOGON_FAILURE', false],
      ['0000000000001005', 'alice', 'CORP', 'WS7', 'NTLMv2', 'STATUS_SUCCESS', true],
    ]);
    const creds = c.records('credential');
    expect(creds.map((r: CredentialRecord) => [r.protocol, r.user, r.domain, r.success, r.client, r.server])).toEqual([
      ['ntlm', 'alice', 'CORP', false, '10.0.0.2', '10.0.0.1'],
      ['ntlm', 'alice', 'CORP', true, '10.0.0.2', '10.0.0.1'],
    ]);
    // Verify the second string as a cracker would: recompute NTProofStr from the password.
    const [user, , domain, chal, proof, blob] = (creds[1]?.crackable ?? '').split(':');
    expect(user).toBe('alice');
    expect(chal).toBe(hex(new Uint8Array(CHAL)));
    const key = createHmac('md5', md4(Buffer.from('S3cret!', 'utf16le')))
      .update(Buffer.from((user ?? '').toUpperCase() + (domain ?? ''), 'utf16le'))
      .digest();
    const want = createHmac('md5', key)
      .update(Buffer.from(chal ?? '', 'hex'))
      .update(Buffer.from(blob ?? '', 'hex'))
      .digest('hex');
    expect(proof).toBe(want);
    // And the first one does not verify with the right password.
    const first = (creds[0]?.crackable ?? '').split(':');
    const p1 = createHmac('md5', key).update(Buffer.from(first[3] ?? '', 'hex')).update(Buffer.from(first[5] ?? '', 'hex')).digest('hex');
    expect(p1).not.toBe(first[4]);
    // Host names: the client's workstation and the server's from the CHALLENGE target info.
    const facts = c.records('host.fact').map((f) => `${f.addr}=${f.value}`);
    expect(facts).toEqual(expect.arrayContaining(['10.0.0.2=WS7', '10.0.0.1=FILES', '10.0.0.1=files.corp']));
  });

  it('emits Wireshark fields and Info for the session setup exchange', () => {
    const c = new Conv();
    c.send(0, setupReq(1, 0, ntlmNegotiate()));
    const s2 = c.send(1, setupResp(1, 0x2001, 0xc0000016, 0, ntlmChallenge(CHAL)));
    const s3 = c.send(0, setupReq(2, 0x2001, ntlmAuth('bob', 'CORP', 'WS7', new Array<number>(24).fill(0), ntlmv2Response('x', 'bob', 'CORP', CHAL))));
    expect(c.sinks[0]?.cols).toEqual(['SMB2|Session Setup Request, NTLMSSP_NEGOTIATE']);
    expect(s2.cols).toEqual(['SMB2|Session Setup Response, Error: STATUS_MORE_PROCESSING_REQUIRED, NTLMSSP_CHALLENGE']);
    expect(s3.cols).toEqual(['SMB2|Session Setup Request, NTLMSSP_AUTH, User: CORP\\bob']);
    expect(s2.fields.map(([n]) => n)).toEqual([
      'nbss',
      'nbss.type',
      'nbss.length',
      'smb2',
      'smb2.nt_status',
      'smb2.cmd',
      'smb2.flags.response',
      'smb2.msg_id',
      'smb2.tid',
      'smb2.sesid',
      'ntlmssp',
      'ntlmssp.messagetype',
      'ntlmssp.ntlmserverchallenge',
    ]);
    expect(s2.fields.find(([n]) => n === 'smb2.sesid')?.[1]).toBe(0x2001);
    expect(s3.fields.filter(([n]) => n.startsWith('ntlmssp.auth')).map(([, v]) => v)).toEqual(['CORP', 'bob', 'WS7']);
  });

  it('tells an anonymous (IS_NULL) session from a guest (IS_GUEST) one', () => {
    const c = new Conv();
    c.send(0, setupReq(1, 0, ntlmNegotiate()));
    c.send(1, setupResp(1, 0x3001, 0xc0000016, 0, ntlmChallenge(CHAL)));
    const s = c.send(0, setupReq(2, 0x3001, ntlmAuth('', '', 'WS7', [0], [])));
    c.send(1, setupResp(2, 0x3001, 0, 0x2, null));
    expect(s.fields.filter(([n]) => n.startsWith('ntlmssp.auth')).map(([, v]) => v)).toEqual(['NULL', 'NULL', 'WS7']);
    login(c, 3, 0x3005, 'visitor', 'pw', 0, 0x1);
    const ses = c.records('smb.session');
    expect(ses.map((r) => [r.anonymous, r.guest, r.success])).toEqual([
      [true, false, true],
      [false, true, true],
    ]);
    // No credential for the anonymous logon: there is nothing to crack.
    expect(c.records('credential').map((r) => r.user)).toEqual(['visitor']);
  });
});

describe('SmbParser: trees, opens and pipes', () => {
  const SES = 0x4001;

  function session(c: Conv): void {
    login(c, 1, SES, 'admin', 'pw', 0);
  }

  it('follows a psexec-style flow: ADMIN$ write of a .exe, IPC$ svcctl pipe traffic', () => {
    const c = new Conv();
    session(c);
    c.send(0, treeReq(10, SES, '\\\\srv\\ADMIN$'));
    c.send(1, treeResp(10, SES, 1, 1));
    const exe = [...Buffer.from('MZ'), ...new Array<number>(5000).fill(0).map((_, i) => (i * 7) & 0xff)];
    const fid = fidBytes(0x77);
    const h = (msgId: number): Hdr => ({ cmd: 0, msgId, sesId: SES, tid: 1 });
    const s1 = c.send(0, createReq(h(11), 'PSEXESVC.exe', 5));
    expect(s1.cols).toEqual(['SMB2|Create Request File: PSEXESVC.exe']);
    expect(s1.fields.filter(([n]) => n === 'smb2.tree' || n === 'smb2.share_type' || n === 'smb2.filename' || n === 'smb2.create.disposition').map(([, v]) => v)).toEqual(['\\\\srv\\ADMIN$', 1, 5, 'PSEXESVC.exe']);
    c.send(1, createResp(h(11), fid, 2));
    // Second chunk first: the reorder buffer puts it back in place.
    const w2 = c.send(0, writeReq(h(13), fid, 3000, exe.slice(3000)));
    expect(w2.cols).toEqual(['SMB2|Write Request Len:2002 Off:3000 File: PSEXESVC.exe']);
    c.send(0, writeReq(h(12), fid, 0, exe.slice(0, 3000)));
    c.send(1, writeResp(h(12), 3000));
    c.send(1, writeResp(h(13), 2002));
    c.send(0, closeReq(h(14), fid));
    c.send(1, closeResp(h(14)));
    const files = c.records('smb.file');
    expect(files).toHaveLength(1);
    const f = files[0] as SmbFileRecord;
    expect([f.name, f.tree, f.pipe, f.disposition, f.bytesWritten, f.bytesRead, f.statusName]).toEqual(['PSEXESVC.exe', '\\\\srv\\ADMIN$', false, 'FILE_OVERWRITE_IF', 5002, 0, 'STATUS_SUCCESS']);
    expect(f.object?.sha256).toBe(createHash('sha256').update(Buffer.from(exe)).digest('hex'));
    expect(f.object?.filename).toBe('PSEXESVC.exe');
    expect(f.object?.mime).toBe('application/x-msdownload');
    expect(c.records('smb.tree').map((t) => [t.path, t.shareType])).toEqual([['\\\\srv\\ADMIN$', 'disk']]);

    // IPC$ and the svcctl pipe.
    c.send(0, treeReq(20, SES, '\\\\srv\\IPC$'));
    c.send(1, treeResp(20, SES, 2, 2));
    const pfid = fidBytes(0x99);
    const p = (msgId: number): Hdr => ({ cmd: 0, msgId, sesId: SES, tid: 2 });
    c.send(0, createReq(p(21), 'svcctl', 1));
    c.send(1, createResp(p(21), pfid, 1));
    c.send(0, writeReq(p(22), pfid, 0, [5, 0, 11, 3]));
    c.send(1, writeResp(p(22), 4));
    c.send(0, readReq(p(23), pfid, 0, 1024));
    c.send(1, readResp(p(23), [5, 0, 12, 3]));
    const io = c.send(0, ioctlReq(p(24), pfid, [5, 0, 0, 3]));
    expect(io.cols).toEqual(['SMB2|Ioctl Request FSCTL_PIPE_TRANSCEIVE File: svcctl']);
    c.send(1, ioctlResp(p(24), pfid, [5, 0, 2, 3]));
    c.send(0, closeReq(p(25), pfid));
    c.send(1, closeResp(p(25)));
    expect(c.pipes.map((x) => [x.pipe.name, x.pipe.sessionId, x.dir, x.bytes])).toEqual([
      ['svcctl', '0000000000004001', 0, '05000b03'],
      ['svcctl', '0000000000004001', 1, '05000c03'],
      ['svcctl', '0000000000004001', 0, '05000003'],
      ['svcctl', '0000000000004001', 1, '05000203'],
    ]);
    const pipeRec = c.records('smb.file')[1];
    expect([pipeRec?.name, pipeRec?.pipe, pipeRec?.bytesWritten, pipeRec?.bytesRead, pipeRec?.object]).toEqual(['svcctl', true, 4, 4, null]);
  });

  it('pairs a compound CREATE + READ + CLOSE and its compound response', () => {
    const c = new Conv();
    session(c);
    c.send(0, treeReq(10, SES, '\\\\srv\\share'));
    c.send(1, treeResp(10, SES, 1, 1));
    const content = [...Buffer.from('hello, compound world\n')];
    const fid = fidBytes(0x55);
    const h = (msgId: number, related = false): Hdr => ({ cmd: 0, msgId, sesId: SES, tid: 1, related });
    const req = c.send(0, compound([createReq(h(11), 'docs\\notes.txt', 1), readReq(h(12, true), SENTINEL, 0, 4096), closeReq(h(13, true), SENTINEL)]));
    expect(req.cols).toEqual(['SMB2|Create Request File: docs\\notes.txt;Read Request Len:4096 Off:0 File: docs\\notes.txt;Close Request File: docs\\notes.txt']);
    const resp = c.send(1, compound([createResp(h(11), fid, 1), readResp(h(12, true), content), closeResp(h(13, true))]));
    expect(resp.cols).toEqual(['SMB2|Create Response File: docs\\notes.txt;Read Response;Close Response']);
    expect(resp.fields.filter(([n]) => n === 'smb2').length).toBe(3);
    const f = c.records('smb.file')[0];
    expect([f?.name, f?.bytesRead, f?.object?.filename, f?.object?.complete]).toEqual(['docs\\notes.txt', content.length, 'notes.txt', true]);
    expect(f?.object?.sha256).toBe(createHash('sha256').update(Buffer.from(content)).digest('hex'));
  });

  it('marks delete-on-close opens, reports failed and unclosed opens, and async STATUS_PENDING keeps the request', () => {
    const c = new Conv();
    session(c);
    c.send(0, treeReq(10, SES, '\\\\srv\\C$'));
    c.send(1, treeResp(10, SES, 1, 1));
    const h = (msgId: number): Hdr => ({ cmd: 0, msgId, sesId: SES, tid: 1 });
    c.send(0, createReq(h(11), 'tmp\\x.bat', 2, 0x1000));
    c.send(1, createResp(h(11), fidBytes(1), 2));
    c.send(0, createReq(h(12), 'missing.txt', 1));
    const err = c.send(1, cmd({ ...h(12), cmd: 5, status: 0xc0000034, response: true }, () => [...u16le(9), 0, 0, ...u32le(0), 0]));
    expect(err.cols).toEqual(['SMB2|Create Response, Error: STATUS_OBJECT_NAME_NOT_FOUND']);
    // An interim async response then the final one for the same message id.
    c.send(0, createReq(h(13), 'slow.txt', 1));
    c.send(1, cmd({ ...h(13), cmd: 5, status: 0x103, response: true }, () => [...u16le(9), 0, 0, ...u32le(0), 0]));
    c.send(1, createResp(h(13), fidBytes(2), 1));
    c.finish();
    const files = c.records('smb.file').map((r) => [r.name, r.statusName, r.deleted]);
    expect(files).toEqual(
      expect.arrayContaining([
        ['missing.txt', 'STATUS_OBJECT_NAME_NOT_FOUND', false],
        ['tmp\\x.bat', 'STATUS_SUCCESS', true],
        ['slow.txt', 'STATUS_SUCCESS', false],
      ]),
    );
    expect(files).toHaveLength(3);
  });

  it('reassembles PDUs split across segments and several PDUs in one segment', () => {
    const c = new Conv();
    const a = nbss(treeReq(1, 0, '\\\\a\\IPC$'));
    const b = nbss(treeReq(2, 0, '\\\\b\\IPC$'));
    const all = new Uint8Array([...a, ...b]);
    const s1 = c.send(0, all.subarray(0, 10));
    expect(s1.cols).toEqual([]);
    const s2 = c.send(0, all.subarray(10));
    expect(s2.cols).toEqual(['SMB2|Tree Connect Request Tree: \\\\a\\IPC$, Tree Connect Request Tree: \\\\b\\IPC$']);
  });
});

describe('SmbParser: hostile input', () => {
  it('recognises SMB by its NBSS + magic prefix', () => {
    expect(looksLikeSmb(nbss(treeReq(1, 0, 'x')))).toBe(true);
    expect(looksLikeSmb(new Uint8Array([0, 0, 0, 5, 0xff, 0x53, 0x4d, 0x42]))).toBe(true);
    expect(looksLikeSmb(Buffer.from('GET / HTTP/1.1\r\n'))).toBe(false);
  });

  it('never throws on lying lengths, bad offsets and garbage', () => {
    const c = new Conv();
    // NBSS says 40 bytes but the SMB2 header is cut short.
    c.send(0, new Uint8Array([0, 0, 0, 40, 0xfe, 0x53, 0x4d, 0x42, ...new Array<number>(36).fill(0)]));
    // NTLMSSP offsets past the end inside SPNEGO.
    const badAuth = ntlmAuth('u', 'd', 'h', [], new Array<number>(40).fill(1));
    badAuth.splice(36 + 4, 4, ...u32le(0x7ffffff0));
    c.send(0, setupReq(5, 0, badAuth));
    // SPNEGO garbage.
    const garbage = [0xa1, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x30, 0x03];
    c.send(0, cmd({ cmd: 1, msgId: 6 }, (t) => [...u16le(25), 0, 1, ...u32le(0), ...u32le(0), ...u16le(t), ...u16le(garbage.length), ...u64le(0)], garbage));
    // Compound with a NextCommand pointing outside; WRITE with a data length past the end.
    const bad = treeReq(7, 0, 'x');
    bad.splice(20, 4, ...u32le(0x1000));
    c.send(0, bad);
    c.send(0, writeReq({ cmd: 9, msgId: 8 }, fidBytes(1), 0, [1, 2, 3]).map((v, i) => (i === 68 ? 0xff : v)));
    const anomalies = c.sinks.flatMap((s) => s.anomalies);
    expect(anomalies.some((a) => a.startsWith('ntlmssp:'))).toBe(true);
    expect(anomalies.some((a) => a.startsWith('spnego:'))).toBe(true);
    expect(anomalies.some((a) => a.includes('NextCommand'))).toBe(true);
    // Random bytes after a valid NBSS header, and after a gap.
    let seed = 12345;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (let n = 0; n < 200; n++) {
      const body = Array.from({ length: 64 + (rnd() % 200) }, rnd);
      body[0] = n % 3 === 0 ? 0xff : 0xfe;
      body[1] = 0x53;
      body[2] = 0x4d;
      body[3] = 0x42;
      expect(() => c.send((n % 2) as Dir, body)).not.toThrow();
    }
    const sink = new TestSink();
    expect(() => c.p.gap(0, 100, { frame: 999, tsSec: 0, tsNsec: 0, sink })).not.toThrow();
    expect(() => c.send(0, new Uint8Array(Array.from({ length: 300 }, rnd)))).not.toThrow();
    expect(() => c.send(0, nbss(treeReq(50, 0, '\\\\after\\gap')))).not.toThrow();
    expect(c.sinks.at(-1)?.cols.join()).toContain('\\\\after\\gap');
    expect(() => c.finish()).not.toThrow();
  });
});
