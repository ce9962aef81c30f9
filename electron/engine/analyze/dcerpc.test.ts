import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DcerpcParser, looksLikeDcerpc } from './dcerpc.js';
import { Ndr, NdrError, guidText } from './dcerpc-interfaces.js';
import type { AppRecord, AppSink, AppValue, DcerpcCallRecord, FrameCtx, StreamInfo } from './types.js';

// ---- Builders ----------------------------------------------------------------------------
// PDUs follow C706 12.6 (common header, bind/bind_ack/request/response bodies) in either byte
// order; stubs are encoded by hand per C706 ch. 14 / [MS-RPCE] 2.2.5 (NDR and NDR64).

const SVCCTL = '367abb81-9844-35f1-ad32-98f038001003';
const ATSVC = '1ff70682-0a51-30e8-076d-740be8cee98b';
const NETLOGON = '12345678-1234-abcd-ef00-01234567cffb';
const TSCH = '86d35949-83c9-4044-b424-db363231fd0c';
const NDR = '8a885d04-1ceb-11c9-9fe8-08002b104860';
const NDR64 = '71710533-beba-4937-8319-b5dbef9ccc36';

/** An NDR encoder with the alignment rules the decoders expect. */
class Enc {
  readonly out: number[] = [];
  constructor(
    readonly le = true,
    readonly ndr64 = false,
  ) {}
  align(n: number): this {
    while (this.out.length % n !== 0) this.out.push(0);
    return this;
  }
  int(v: number, size: number): this {
    this.align(size);
    const b: number[] = [];
    let x = v;
    for (let i = 0; i < size; i++) {
      b.push(x % 256);
      x = Math.floor(x / 256);
    }
    this.out.push(...(this.le ? b : b.reverse()));
    return this;
  }
  u8(v: number): this {
    this.out.push(v);
    return this;
  }
  u16(v: number): this {
    return this.int(v, 2);
  }
  u32(v: number): this {
    return this.int(v, 4);
  }
  size(v: number): this {
    return this.int(v, this.ndr64 ? 8 : 4);
  }
  ptr(ref: number): this {
    return this.size(ref);
  }
  raw(b: ArrayLike<number>): this {
    this.out.push(...Array.from(b));
    return this;
  }
  /** A conformant varying wide string with its terminating NUL. */
  wstr(s: string): this {
    const n = s.length + 1;
    this.size(n).size(0).size(n);
    for (const ch of s + '\0') this.u16raw(ch.charCodeAt(0));
    return this;
  }
  u16raw(v: number): this {
    this.out.push(...(this.le ? [v & 255, v >> 8] : [v >> 8, v & 255]));
    return this;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

function uuidBytes(uuid: string, le: boolean): number[] {
  const h = uuid.replace(/-/g, '');
  const b = Array.from({ length: 16 }, (_, i) => parseInt(h.slice(2 * i, 2 * i + 2), 16));
  if (!le) return b;
  return [b[3]!, b[2]!, b[1]!, b[0]!, b[5]!, b[4]!, b[7]!, b[6]!, ...b.slice(8)];
}

interface PduOpts {
  le?: boolean;
  flags?: number;
  auth?: { level: number; pad?: number; value: number[] };
}

function pdu(ptype: number, callId: number, body: number[], o: PduOpts = {}): Uint8Array {
  const le = o.le ?? true;
  const e = new Enc(le);
  const auth = o.auth;
  const tail: number[] = [];
  if (auth) tail.push(...new Array<number>(auth.pad ?? 0).fill(0), 10, auth.level, auth.pad ?? 0, 0, ...new Enc(le).u32(1).out, ...auth.value);
  const fragLen = 16 + body.length + tail.length;
  e.u8(5).u8(0).u8(ptype).u8(o.flags ?? 3).raw(le ? [0x10, 0, 0, 0] : [0, 0, 0, 0]);
  e.u16(fragLen).u16(auth ? auth.value.length : 0).u32(callId);
  return Uint8Array.from([...e.out, ...body, ...tail]);
}

function bind(callId: number, items: { ctx: number; uuid: string; ver: number; transfers: string[] }[], le = true): Uint8Array {
  const e = new Enc(le).u16(4280).u16(4280).u32(0).u8(items.length).raw([0, 0, 0]);
  for (const it of items) {
    e.u16(it.ctx).u8(it.transfers.length).u8(0).raw(uuidBytes(it.uuid, le)).u16(it.ver).u16(0);
    for (const t of it.transfers) e.raw(uuidBytes(t, le)).u32(t === NDR ? 2 : 1);
  }
  return pdu(11, callId, e.out, { le });
}

function bindAck(callId: number, results: { result: number; transfer: string }[], le = true): Uint8Array {
  const e = new Enc(le).u16(4280).u16(4280).u32(0x1234).u16(13).raw([...'\\pipe\\ntsvcs'].map((c) => c.charCodeAt(0))).u8(0);
  e.align(4).u8(results.length).raw([0, 0, 0]);
  for (const r of results) e.u16(r.result).u16(0).raw(uuidBytes(r.transfer, le)).u32(2);
  // The body is aligned from the PDU start (16 bytes in), so the builder's alignment holds.
  return pdu(12, callId, e.out, { le });
}

function request(callId: number, ctx: number, opnum: number, stub: Uint8Array, o: PduOpts = {}): Uint8Array {
  const e = new Enc(o.le ?? true).u32(stub.length).u16(ctx).u16(opnum).raw(stub);
  return pdu(0, callId, e.out, o);
}

function response(callId: number, ctx: number, stub: Uint8Array, o: PduOpts = {}): Uint8Array {
  const e = new Enc(o.le ?? true).u32(stub.length).u16(ctx).u8(0).u8(0).raw(stub);
  return pdu(2, callId, e.out, o);
}

const HANDLE = Array.from({ length: 20 }, (_, i) => (i < 4 ? 0 : i));

/** RCreateServiceW stub ([MS-SCMR] 3.1.4.12), as psexec-style tools send it. */
function createServiceStub(le: boolean, name: string, path: string): Uint8Array {
  const e = new Enc(le).raw(HANDLE).wstr(name).ptr(0x20000).wstr(name);
  e.u32(0xf01ff).u32(0x10).u32(3).u32(0).wstr(path);
  e.ptr(0).ptr(0).ptr(0).u32(0).ptr(0).ptr(0).u32(0);
  return e.bytes();
}

class Sink implements AppSink {
  fields: [string, AppValue][] = [];
  cols: [string, string][] = [];
  anomalies: string[] = [];
  records: AppRecord[] = [];
  field(name: string, value: AppValue): void {
    this.fields.push([name, value]);
  }
  columns(protocol: string, info: string): void {
    this.cols.push([protocol, info]);
  }
  anomaly(layer: string, detail: string): void {
    this.anomalies.push(`${layer}: ${detail}`);
  }
  record(r: AppRecord): void {
    this.records.push(r);
  }
  get calls(): DcerpcCallRecord[] {
    return this.records.filter((r): r is DcerpcCallRecord => r.kind === 'dcerpc.call');
  }
  value(name: string): AppValue | undefined {
    return this.fields.find(([n]) => n === name)?.[1];
  }
}

const INFO: StreamInfo = { stream: 7, client: { addr: '10.0.0.1', port: 50000 }, server: { addr: '10.0.0.2', port: 135 } };

function ctxOf(sink: Sink, frame = 1): FrameCtx {
  return { frame, tsSec: 0, tsNsec: 0, sink };
}

/** Bind `uuid` on context 0 and accept it with `transfer`. */
function bound(uuid: string, transfer = NDR, le = true, transport: 'smb' | 'tcp' = 'tcp'): { p: DcerpcParser; sink: Sink } {
  const sink = new Sink();
  const p = new DcerpcParser(INFO, transport, transport === 'smb' ? 'svcctl' : undefined);
  p.data(0, bind(1, [{ ctx: 0, uuid, ver: uuid === SVCCTL ? 2 : 1, transfers: [transfer] }], le), ctxOf(sink, 1));
  p.data(1, bindAck(1, [{ result: 0, transfer }], le), ctxOf(sink, 2));
  return { p, sink };
}

// ---- Tests -------------------------------------------------------------------------------

describe('looksLikeDcerpc', () => {
  it('accepts binds and requests in either byte order', () => {
    expect(looksLikeDcerpc(bind(1, [{ ctx: 0, uuid: SVCCTL, ver: 2, transfers: [NDR] }]))).toBe(true);
    expect(looksLikeDcerpc(bind(1, [{ ctx: 0, uuid: SVCCTL, ver: 2, transfers: [NDR] }], false))).toBe(true);
    expect(looksLikeDcerpc(request(2, 0, 15, new Uint8Array(8), { le: false }))).toBe(true);
  });
  it('rejects other protocols and lying headers', () => {
    expect(looksLikeDcerpc(new TextEncoder().encode('GET / HTTP/1.1\r\n'))).toBe(false);
    expect(looksLikeDcerpc(Uint8Array.from([5, 0, 11, 3, 0x10, 0, 0, 0, 8, 0, 0, 0]))).toBe(false); // frag_length 8
    expect(looksLikeDcerpc(Uint8Array.from([4, 0, 11, 3, 0x10, 0, 0, 0, 72, 0]))).toBe(false);
    expect(looksLikeDcerpc(Uint8Array.from([5, 0]))).toBe(false);
  });
});

describe('DcerpcParser: bind and bind_ack', () => {
  it('shows the context list and results as Wireshark does', () => {
    const sink = new Sink();
    const p = new DcerpcParser(INFO, 'tcp');
    p.data(0, bind(2, [{ ctx: 0, uuid: SVCCTL, ver: 2, transfers: [NDR] }, { ctx: 1, uuid: SVCCTL, ver: 2, transfers: ['6cb71c2c-9812-4540-0300-000000000000'] }]), ctxOf(sink));
    expect(sink.cols).toEqual([['DCERPC', 'Bind: call_id: 2, Fragment: Single, 2 context items: SVCCTL V2.0 (32bit NDR), SVCCTL V2.0 (6cb71c2c-9812-4540-0300-000000000000)']]);
    expect(sink.fields.filter(([n]) => n === 'dcerpc.cn_bind_to_uuid').map(([, v]) => v)).toEqual([SVCCTL, SVCCTL]);
    expect(sink.value('dcerpc.cn_bind_trans_btfn')).toBe(3);
    const ack = new Sink();
    p.data(1, bindAck(2, [{ result: 0, transfer: NDR }, { result: 3, transfer: '00000000-0000-0000-0000-000000000000' }]), ctxOf(ack, 2));
    expect(ack.cols).toEqual([['DCERPC', 'Bind_ack: call_id: 2, Fragment: Single, max_xmit: 4280 max_recv: 4280, 2 results: Acceptance, Negotiate ACK']]);
    expect(ack.value('dcerpc.cn_sec_addr')).toBe('\\pipe\\ntsvcs');
  });
});

describe('DcerpcParser: svcctl service creation (psexec style)', () => {
  for (const le of [true, false]) {
    it(`CreateServiceW then StartServiceW, ${le ? 'little' : 'big'} endian`, () => {
      const { p, sink } = bound(SVCCTL, NDR, le, 'smb');
      const req = new Sink();
      p.data(0, request(3, 0, 12, createServiceStub(le, 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe'), { le }), ctxOf(req, 10));
      expect(req.cols).toEqual([['SVCCTL', 'CreateServiceW request']]);
      expect(req.value('svcctl.servicename')).toBe('PSEXESVC');
      expect(req.value('svcctl.binarypathname')).toBe('%SystemRoot%\\PSEXESVC.exe');
      expect(req.value('svcctl.service_start_type')).toBe(3);
      expect(req.calls).toEqual([]); // held until the response fills the status
      const svc = [9, 9, 9, 9, ...Array.from({ length: 16 }, (_, i) => 0x40 + i)];
      const resp = new Sink();
      p.data(1, response(3, 0, new Enc(le).ptr(0).raw(svc).u32(0).bytes(), { le }), ctxOf(resp, 11));
      expect(resp.cols).toEqual([['SVCCTL', 'CreateServiceW response']]);
      expect(resp.value('dcerpc.request_in')).toBe(10);
      expect(resp.calls).toEqual([
        {
          kind: 'dcerpc.call',
          frame: 10,
          stream: 7,
          transport: 'smb',
          pipe: 'svcctl',
          interfaceUuid: SVCCTL,
          interfaceName: 'svcctl',
          opnum: 12,
          operation: 'CreateServiceW',
          args: {
            serviceName: 'PSEXESVC',
            displayName: 'PSEXESVC',
            binaryPath: '%SystemRoot%\\PSEXESVC.exe',
            serviceType: '0x00000010',
            startType: '3',
          },
          status: 0,
        },
      ]);
      // StartServiceW on the new handle names the service (handle table), with its arguments.
      const start = new Sink();
      p.data(0, request(4, 0, 19, new Enc(le).raw(svc).u32(1).ptr(0x20000).size(1).ptr(0x20004).wstr('-x').bytes(), { le }), ctxOf(start, 12));
      p.data(1, response(4, 0, new Enc(le).u32(1056).bytes(), { le }), ctxOf(start, 13));
      expect(start.cols.map(([, i]) => i)).toEqual(['StartServiceW request', 'StartServiceW response']);
      expect(start.calls[0]).toMatchObject({ operation: 'StartServiceW', args: { serviceName: 'PSEXESVC', argc: '1', arguments: '-x' }, status: 1056 });
      expect(sink.anomalies).toEqual([]);
    });
  }

  it('reassembles a fragmented request delivered a byte at a time', () => {
    const { p } = bound(SVCCTL);
    const stub = createServiceStub(true, 'evil', 'cmd.exe /c whoami > C:\\out.txt');
    const cuts = [0, 24, 48, stub.length];
    const flags = [1, 0, 2];
    const sink = new Sink();
    for (let i = 0; i < 3; i++) {
      const frag = request(5, 0, 12, stub.subarray(cuts[i], cuts[i + 1]), { flags: flags[i] });
      for (const byte of frag) p.data(0, Uint8Array.of(byte), ctxOf(sink, 20 + i));
    }
    expect(sink.cols[0]).toEqual(['DCERPC', 'Request: call_id: 5, Fragment: 1st, opnum: 12, Ctx: 0 SVCCTL V2']);
    expect(sink.cols[1]).toEqual(['DCERPC', 'Request: call_id: 5, Fragment: Mid, opnum: 12, Ctx: 0 SVCCTL V2']);
    expect(sink.cols[2]).toEqual(['SVCCTL', 'CreateServiceW request']);
    p.end(0, ctxOf(sink, 30));
    p.end(1, ctxOf(sink, 30));
    expect(sink.calls).toHaveLength(1);
    expect(sink.calls[0]).toMatchObject({ frame: 22, args: { serviceName: 'evil', binaryPath: 'cmd.exe /c whoami > C:\\out.txt' }, status: null });
  });

  it('does not decode an encrypted stub (auth level privacy) and does not throw', () => {
    const { p } = bound(SVCCTL);
    const sink = new Sink();
    const noise = Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 255);
    p.data(0, request(6, 0, 12, noise, { auth: { level: 6, pad: 0, value: new Array<number>(16).fill(0xaa) } }), ctxOf(sink, 40));
    expect(sink.cols).toEqual([['SVCCTL', 'CreateServiceW request']]);
    expect(sink.value('dcerpc.auth_level')).toBe(6);
    expect(sink.value('svcctl.servicename')).toBeUndefined();
    p.data(1, response(6, 0, noise.subarray(0, 16), { auth: { level: 6, value: new Array<number>(16).fill(0xbb) } }), ctxOf(sink, 41));
    expect(sink.calls[0]).toMatchObject({ operation: 'CreateServiceW', args: { encrypted: 'true' }, status: null });
    expect(sink.anomalies).toEqual([]);
  });

  it('reports a fault as the call status', () => {
    const { p } = bound(SVCCTL);
    const sink = new Sink();
    p.data(0, request(7, 0, 19, new Enc().raw(HANDLE).u32(0).ptr(0).bytes()), ctxOf(sink, 50));
    p.data(1, pdu(3, 7, new Enc().u32(32).u16(0).u8(0).u8(0).u32(0x1c010002).u32(0).out), ctxOf(sink, 51));
    expect(sink.cols[1]).toEqual(['DCERPC', 'Fault: call_id: 7, Fragment: Single, Ctx: 0, status: nca_s_op_rng_error SVCCTL V2']);
    expect(sink.calls[0]).toMatchObject({ operation: 'StartServiceW', status: 0x1c010002 });
  });
});

describe('DcerpcParser: other interfaces', () => {
  it('atsvc NetrJobAdd over NDR64 yields the command', () => {
    const { p } = bound(ATSVC, NDR64);
    const e = new Enc(true, true).ptr(0x20000).wstr('\\\\dc1');
    e.align(8).u32(47100000).u32(0).u8(0).u8(0).ptr(0x20004).wstr('cmd /c net user x /add');
    const sink = new Sink();
    p.data(0, request(2, 0, 0, e.bytes()), ctxOf(sink, 9));
    p.data(1, response(2, 0, new Enc().u32(5).u32(0).bytes()), ctxOf(sink, 10));
    expect(sink.cols.map(([pr, i]) => `${pr}|${i}`)).toEqual(['ATSVC|JobAdd request', 'ATSVC|JobAdd response']);
    expect(sink.value('atsvc.atsvc_JobInfo.command')).toBe('cmd /c net user x /add');
    expect(sink.calls[0]).toMatchObject({ operation: 'JobAdd', args: { server: '\\\\dc1', command: 'cmd /c net user x /add', jobId: '5' }, status: 0 });
  });

  it('SchRpcRegisterTask: path and the Exec command from the task XML', () => {
    const { p } = bound(TSCH);
    const xml = '<?xml version="1.0"?><Task><Actions><Exec><Command>C:\\Windows\\System32\\cmd.exe</Command><Arguments>/c echo a &amp;&amp; b</Arguments></Exec></Actions></Task>';
    const stub = new Enc().ptr(0x20000).wstr('\\Updater').wstr(xml).u32(6).ptr(0).u32(3).u32(0).ptr(0).bytes();
    const sink = new Sink();
    p.data(0, request(2, 0, 1, stub), ctxOf(sink, 3));
    expect(sink.cols).toEqual([['DCERPC', `Request: call_id: 2, Fragment: Single, opnum: 1, Ctx: 0 ${TSCH} V1`]]);
    p.end(0, ctxOf(sink, 4));
    p.end(1, ctxOf(sink, 4));
    expect(sink.calls[0]).toMatchObject({
      interfaceName: 'ITaskSchedulerService',
      operation: 'SchRpcRegisterTask',
      args: { path: '\\Updater', command: 'C:\\Windows\\System32\\cmd.exe', arguments: '/c echo a && b' },
    });
  });

  it('netlogon NetrServerAuthenticate3 with a zeroed credential (Zerologon)', () => {
    const { p } = bound(NETLOGON);
    const stub = new Enc().ptr(0x20000).wstr('\\\\DC01').wstr('DC01$').u16(6).wstr('DC01').raw(new Array<number>(8).fill(0)).u32(0x212fffff).bytes();
    const sink = new Sink();
    p.data(0, request(2, 0, 26, stub), ctxOf(sink, 5));
    p.data(1, response(2, 0, new Enc().raw(new Array<number>(8).fill(0)).u32(0x212fffff).u32(0).u32(0xc0000022).bytes()), ctxOf(sink, 6));
    expect(sink.cols.map(([, i]) => i)).toEqual(['NetrServerAuthenticate3 request', 'NetrServerAuthenticate3 response, STATUS_ACCESS_DENIED']);
    expect(sink.calls[0]).toMatchObject({
      operation: 'NetrServerAuthenticate3',
      args: { accountName: 'DC01$', computerName: 'DC01', secureChannelType: '6', clientCredentialZero: 'true' },
      status: 0xc0000022,
    });
  });
});

describe('DcerpcParser: hostile input', () => {
  it('gives up on a frag_length shorter than the header', () => {
    const sink = new Sink();
    const p = new DcerpcParser(INFO, 'tcp');
    p.data(0, Uint8Array.from([5, 0, 0, 3, 0x10, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0]), ctxOf(sink));
    p.data(0, bind(1, [{ ctx: 0, uuid: SVCCTL, ver: 2, transfers: [NDR] }]), ctxOf(sink));
    expect(sink.anomalies).toHaveLength(1);
    expect(sink.cols).toEqual([]);
  });

  it('survives an auth_length past the end of the fragment', () => {
    const { p } = bound(SVCCTL);
    const sink = new Sink();
    const req = request(3, 0, 15, new Enc().ptr(0).ptr(0).u32(0xf003f).bytes());
    req[10] = 0xff; // auth_length 255 in a 36-byte PDU
    p.data(0, req, ctxOf(sink));
    expect(sink.anomalies.some((a) => a.includes('auth_length'))).toBe(true);
    expect(sink.cols).toEqual([['SVCCTL', 'OpenSCManagerW request']]);
  });

  it('reports requests on a context never bound, without decoding them', () => {
    const sink = new Sink();
    const p = new DcerpcParser(INFO, 'tcp');
    p.data(0, request(9, 4, 12, createServiceStub(true, 'x', 'y')), ctxOf(sink, 3));
    expect(sink.cols).toEqual([['DCERPC', 'Request: call_id: 9, Fragment: Single, opnum: 12, Ctx: 4']]);
    expect(sink.anomalies.some((a) => a.includes('never bound'))).toBe(true);
    p.end(0, ctxOf(sink, 4));
    p.end(1, ctxOf(sink, 4));
    expect(sink.calls[0]).toMatchObject({ interfaceUuid: '', interfaceName: null, opnum: 12, args: {}, status: null });
  });

  it('truncated stubs become an anomaly, with the fields decoded so far', () => {
    const { p } = bound(SVCCTL);
    const sink = new Sink();
    p.data(0, request(3, 0, 12, createServiceStub(true, 'svc', 'c:\\x.exe').subarray(0, 40)), ctxOf(sink));
    expect(sink.value('svcctl.servicename')).toBe('svc');
    expect(sink.anomalies.some((a) => a.includes('CreateServiceW request stub malformed'))).toBe(true);
  });

  it('never throws on mutated PDUs (property)', () => {
    const valid = [
      bind(1, [{ ctx: 0, uuid: SVCCTL, ver: 2, transfers: [NDR] }]),
      bindAck(1, [{ result: 0, transfer: NDR }]),
      request(3, 0, 12, createServiceStub(true, 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe')),
      response(3, 0, new Enc().ptr(0).raw(HANDLE).u32(0).bytes()),
    ];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(3), fc.nat(200), fc.nat(255)), { maxLength: 8 }), fc.nat(3), (muts, cut) => {
        const sink = new Sink();
        const p = new DcerpcParser(INFO, 'tcp');
        valid.forEach((v, i) => {
          const b = v.slice();
          for (const [which, at, val] of muts) if (which === i && at < b.length) b[at] = val;
          p.data(i % 2 === 0 ? 0 : 1, i === cut ? b.subarray(0, b.length - 5) : b, ctxOf(sink, i + 1));
        });
        p.gap(0, 10, ctxOf(sink, 9));
        p.end(0, ctxOf(sink, 10));
        p.end(1, ctxOf(sink, 10));
      }),
      { numRuns: 500 },
    );
  });
});

describe('Ndr', () => {
  it('rejects string counts that lie and runs past the end', () => {
    const lying = new Ndr(new Enc().size(4).size(3).size(4).bytes(), true, false);
    expect(() => lying.wstr()).toThrow(NdrError);
    const short = new Ndr(new Enc().size(100).size(0).size(100).u16raw(0x41).bytes(), true, false);
    expect(() => short.wstr()).toThrow(NdrError);
  });
  it('formats GUIDs in either byte order', () => {
    expect(guidText(Uint8Array.from(uuidBytes(SVCCTL, true)), true)).toBe(SVCCTL);
    expect(guidText(Uint8Array.from(uuidBytes(SVCCTL, false)), false)).toBe(SVCCTL);
  });
});
