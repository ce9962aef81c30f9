/**
 * Connection-oriented DCE/RPC (ncacn_ip_tcp on port 135 and the endpoint mapper's dynamic
 * ports; ncacn_np over SMB named pipes, where the SMB parser feeds a pipe's writes as
 * direction 0 and its reads as direction 1).
 *
 * Specs:
 *  - C706 (DCE 1.1 RPC) ch. 12.6 (connection-oriented PDUs): the 16-byte common header,
 *    bind / bind_ack / alter_context (presentation context list: context id → abstract
 *    syntax UUID + version, transfer syntaxes; results in the same order), request
 *    (alloc_hint, p_cont_id, opnum, optional object UUID when PFC_OBJECT_UUID), response,
 *    fault; §12.6.3.1 (the auth verifier: an 8-byte sec_trailer then auth_length bytes at
 *    the end of the fragment, the stub padded by auth_pad_length before it); §12.6.3
 *    (fragments: PFC_FIRST_FRAG / PFC_LAST_FRAG, reassembled by call id).
 *  - [MS-RPCE] 2.2.2 (extensions: data representation — a little or big endian stub —,
 *    NDR64 transfer syntax 2.2.5, bind time feature negotiation 3.3.1.5.3, auth level
 *    RPC_C_AUTHN_LEVEL_PKT_PRIVACY (6) encrypts the stub 2.2.1.1.8).
 *
 *   | ver 5 | minor 0/1 | ptype | pfc_flags | drep (4) | frag_length (2) | auth_length (2) | call_id (4) |
 *
 * Wireshark 4.0's packet-dcerpc.c (as observed with tshark 4.0.17) is the reference for
 * field names, tree order and the Protocol/Info columns: binds and acks show as DCERPC,
 * calls of an interface Wireshark dissects show under that interface's name with
 * "<Operation> request/response". Interface decoders live in dcerpc-interfaces.ts.
 *
 * Records: one DcerpcCallRecord per request, emitted when its response (or fault) arrives so
 * that `status` is filled; requests never answered are emitted with status null when the
 * connection ends (or when MAX_PENDING_CALLS forces the oldest out). An `end` without a frame
 * context (allowed by the contract) cannot emit, so those are lost.
 */
import {
  BTFN_PREFIX,
  DecodeOut,
  Ndr,
  NdrError,
  interfaceByUuid,
  guidText,
  isNdr64,
  ntStatusName,
  operationName,
  transferName,
  type DecodeCtx,
  type HandleInfo,
  type InterfaceDef,
} from './dcerpc-interfaces.js';
import type { AppSink, DcerpcCallRecord, Dir, FrameCtx, StreamInfo, TcpParser } from './types.js';

// ---- Limits -------------------------------------------------------------------------------

/** The endpoint mapper's port (ncacn_ip_tcp); other DCE/RPC ports are dynamic (found by bytes). */
export const DCERPC_PORTS: ReadonlySet<number> = new Set([135]);
/** C706 12.6.3.1: the common header. */
const HEADER_LEN = 16;
/** frag_length is 16 bits, so one PDU is at most 65535 bytes: the per-direction buffer. */
const MAX_PDU = 65535;
/** Presentation contexts remembered per connection (clients bind a handful; ids are 16-bit). */
export const MAX_CONTEXTS = 256;
/** Requests awaiting their response (clients rarely have more than a few outstanding). */
export const MAX_PENDING_CALLS = 256;
/** Calls being reassembled from fragments at once, per direction. */
const MAX_FRAGMENTED_CALLS = 16;
/** Stub bytes reassembled per call: requests that matter are small; DRS replies that are larger are not decoded. */
export const MAX_CALL_STUB = 1024 * 1024;
/** Context handles remembered (svcctl handle → service name), per connection. */
const MAX_HANDLES = 1024;
/** Context items and transfer syntaxes walked per bind (real binds carry ≤ 3 of each). */
const MAX_BIND_ITEMS = 64;
/** Anomalies of one kind reported per connection (a broken stream would otherwise repeat them per PDU). */
const MAX_ANOMALIES = 32;

const EMPTY = new Uint8Array(0);

const PT_REQUEST = 0;
const PT_RESPONSE = 2;
const PT_FAULT = 3;
const PT_BIND = 11;
const PT_BIND_ACK = 12;
const PT_BIND_NAK = 13;
const PT_ALTER = 14;
const PT_ALTER_RESP = 15;

const PFC_FIRST = 0x01;
const PFC_LAST = 0x02;
const PFC_OBJECT = 0x80;
/** [MS-RPCE] 2.2.1.1.8 RPC_C_AUTHN_LEVEL_PKT_PRIVACY: the stub is encrypted. */
const AUTH_LEVEL_PRIVACY = 6;

/** Wireshark's dcerpc.pkt_type names (Info prefix). */
const PTYPE_NAMES = [
  'Request', 'Ping', 'Response', 'Fault', 'Working', 'Nocall', 'Reject', 'Ack', 'Cl_cancel', 'Fack', 'Cancel_ack',
  'Bind', 'Bind_ack', 'Bind_nak', 'Alter_context', 'Alter_context_resp', 'AUTH3', 'Shutdown', 'Co_cancel', 'Orphaned',
  'RPC-over-HTTP RTS',
];
const ACK_RESULTS = ['Acceptance', 'User rejection', 'Provider rejection', 'Negotiate ACK'];
/** C706 appendix E and [MS-RPCE] 3.1.1.5.5 fault codes most seen. */
const FAULT_NAMES: Readonly<Record<number, string>> = {
  0x1c010002: 'nca_s_op_rng_error',
  0x1c010003: 'nca_s_unk_if',
  0x1c01000b: 'nca_s_proto_error',
  0x1c010013: 'nca_s_out_args_too_big',
  0x1c000011: 'nca_s_fault_remote_no_memory',
  0x000006f7: 'nca_s_fault_ndr',
  0x00000005: 'nca_s_fault_access_denied',
};

/**
 * True when the first bytes look like a connection-oriented DCE/RPC PDU: version 5.0/5.1,
 * a known packet type, a sane data representation and a frag_length covering the header.
 */
export function looksLikeDcerpc(b: Uint8Array): boolean {
  if (b.length < 10) return false;
  if (b[0] !== 5 || (b[1] !== 0 && b[1] !== 1)) return false;
  if (b[2]! > 20) return false;
  const drep0 = b[4]!;
  if ((drep0 & 0x0f) !== 0 || drep0 >> 4 > 1 || b[5]! > 1 || b[6] !== 0 || b[7] !== 0) return false;
  const le = drep0 >> 4 === 1;
  const fragLen = le ? b[8]! | (b[9]! << 8) : (b[8]! << 8) | b[9]!;
  return fragLen >= HEADER_LEN;
}

function fragmentName(flags: number): string {
  const first = (flags & PFC_FIRST) !== 0;
  const last = (flags & PFC_LAST) !== 0;
  return first && last ? 'Single' : first ? '1st' : last ? 'Last' : 'Mid';
}

interface Context {
  uuid: string;
  ver: number;
  verMinor: number;
  ndr64: boolean;
  def: InterfaceDef | undefined;
}

interface Proposal {
  ctxId: number;
  uuid: string;
  ver: number;
  verMinor: number;
  transfers: string[];
}

interface PendingCall {
  rec: DcerpcCallRecord;
  opnum: number;
  ctx: Context | undefined;
  tsSec: number;
  tsNsec: number;
}

interface Assembly {
  callId: number;
  parts: Uint8Array[];
  size: number;
  overflow: boolean;
}

interface DirState {
  buf: Uint8Array | null;
  len: number;
  dead: boolean;
  /** After a gap: skip data until a chunk starts with a plausible header. */
  resync: boolean;
  assemblies: Assembly[];
}

interface Auth {
  type: number;
  level: number;
  padLen: number;
  reserved: number;
  ctxId: number;
}

/** Optional hooks for the wiring (e.g. learning the endpoint mapper's dynamic ports). */
export interface DcerpcHooks {
  /** An ept_map response named a TCP endpoint for an interface. */
  onEndpoint?(ip: string, port: number, interfaceUuid: string | null): void;
}

export class DcerpcParser implements TcpParser {
  private readonly dirs: [DirState, DirState] = [newDir(), newDir()];
  private readonly contexts = new Map<number, Context>();
  private readonly proposals = new Map<number, Proposal[]>();
  private readonly calls = new Map<number, PendingCall>();
  private readonly handles = new Map<string, HandleInfo>();
  private readonly anomalyCounts = new Map<string, number>();
  private readonly ended: [boolean, boolean] = [false, false];

  constructor(
    private readonly info: StreamInfo,
    private readonly transport: 'smb' | 'tcp',
    private readonly pipe?: string,
    private readonly hooks: DcerpcHooks = {},
  ) {}

  data(dir: Dir, bytes: Uint8Array, ctx: FrameCtx): void {
    const d = this.dirs[dir];
    if (d.dead || bytes.length === 0) return;
    if (d.resync) {
      if (d.len === 0 && !looksLikeDcerpc(bytes)) return;
      d.resync = false;
    }
    let p = 0;
    // Fast path: whole PDUs straight from the caller's bytes (parsed before returning; anything kept is copied).
    if (d.len === 0) {
      while (bytes.length - p >= HEADER_LEN) {
        const fragLen = this.frameLength(bytes.subarray(p), ctx.sink);
        if (fragLen < 0) {
          d.dead = true;
          return;
        }
        if (bytes.length - p < fragLen) break;
        this.pdu(dir, bytes.subarray(p, p + fragLen), ctx);
        p += fragLen;
      }
    }
    if (p === bytes.length) return;
    d.buf ??= new Uint8Array(MAX_PDU);
    while (p < bytes.length) {
      const want = d.len < HEADER_LEN ? HEADER_LEN : this.frameLength(d.buf.subarray(0, d.len), ctx.sink);
      if (want < 0) {
        d.dead = true;
        d.len = 0;
        return;
      }
      const take = Math.min(want - d.len, bytes.length - p);
      d.buf.set(bytes.subarray(p, p + take), d.len);
      d.len += take;
      p += take;
      if (d.len < HEADER_LEN) return;
      const fragLen = this.frameLength(d.buf.subarray(0, d.len), ctx.sink);
      if (fragLen < 0) {
        d.dead = true;
        d.len = 0;
        return;
      }
      if (d.len === fragLen) {
        d.len = 0;
        this.pdu(dir, d.buf.subarray(0, fragLen), ctx);
      }
    }
  }

  gap(dir: Dir, length: number, ctx: FrameCtx): void {
    const d = this.dirs[dir];
    if (d.dead) return;
    this.anomaly(ctx.sink, 'gap', `${length} bytes missing; resynchronising on the next PDU header`);
    d.len = 0;
    d.assemblies = [];
    d.resync = true;
  }

  end(dir: Dir, ctx: FrameCtx | null): void {
    this.ended[dir] = true;
    if (!this.ended[0] || !this.ended[1] || ctx === null) return;
    for (const call of this.calls.values()) ctx.sink.record(call.rec);
    this.calls.clear();
  }

  // ---- Framing --------------------------------------------------------------------------

  /** frag_length of the header at the start of `b` (≥ 16 bytes), or -1 when it is not a DCE/RPC header. */
  private frameLength(b: Uint8Array, sink: AppSink): number {
    if (b[0] !== 5 || (b[1] !== 0 && b[1] !== 1)) {
      this.anomaly(sink, 'version', `not DCE/RPC 5.0/5.1 (version ${b[0]}.${b[1]}); stream given up`);
      return -1;
    }
    const le = b[4]! >> 4 === 1;
    const fragLen = le ? b[8]! | (b[9]! << 8) : (b[8]! << 8) | b[9]!;
    if (fragLen < HEADER_LEN) {
      this.anomaly(sink, 'frag_length', `frag_length ${fragLen} is shorter than the header; stream given up`);
      return -1;
    }
    return fragLen;
  }

  private anomaly(sink: AppSink, kind: string, detail: string): void {
    const n = this.anomalyCounts.get(kind) ?? 0;
    if (n >= MAX_ANOMALIES) return;
    this.anomalyCounts.set(kind, n + 1);
    sink.anomaly('dcerpc', detail);
  }

  // ---- One PDU ----------------------------------------------------------------------------

  private pdu(dir: Dir, b: Uint8Array, ctx: FrameCtx): void {
    const sink = ctx.sink;
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const ptype = b[2]!;
    const flags = b[3]!;
    const le = b[4]! >> 4 === 1;
    const fragLen = b.length;
    const authLen = view.getUint16(10, le);
    const callId = view.getUint32(12, le);
    const u16 = (o: number): number => view.getUint16(o, le);
    const u32 = (o: number): number => view.getUint32(o, le);

    sink.field('dcerpc', EMPTY);
    sink.field('dcerpc.ver', b[0]!);
    sink.field('dcerpc.ver_minor', b[1]!);
    sink.field('dcerpc.pkt_type', ptype);
    sink.field('dcerpc.cn_flags', flags);
    for (const [name, bit] of FLAG_FIELDS) sink.field(name, flags & bit ? 1 : 0);
    sink.field('dcerpc.drep', b.slice(4, 8));
    sink.field('dcerpc.drep.byteorder', b[4]! >> 4);
    sink.field('dcerpc.drep.character', b[4]! & 0x0f);
    sink.field('dcerpc.drep.fp', b[5]!);
    sink.field('dcerpc.cn_frag_len', fragLen);
    sink.field('dcerpc.cn_auth_len', authLen);
    sink.field('dcerpc.cn_call_id', callId);

    // The auth verifier (C706 12.6.3.1): sec_trailer (8 bytes) + auth_length bytes, at the end.
    let bodyEnd = fragLen;
    let auth: Auth | null = null;
    if (authLen > 0) {
      const t = fragLen - authLen - 8;
      if (t < HEADER_LEN) {
        this.anomaly(sink, 'auth_length', `auth_length ${authLen} runs past the ${fragLen}-byte fragment`);
      } else {
        auth = { type: b[t]!, level: b[t + 1]!, padLen: b[t + 2]!, reserved: b[t + 3]!, ctxId: u32(t + 4) };
        bodyEnd = t;
      }
    }
    const frag = fragmentName(flags);
    const typeName = PTYPE_NAMES[ptype] ?? `Unknown (${ptype})`;

    switch (ptype) {
      case PT_BIND:
      case PT_ALTER:
        this.bind(b, u16, u32, le, callId, bodyEnd, auth, sink, `${typeName}: call_id: ${callId}, Fragment: ${frag}`);
        return;
      case PT_BIND_ACK:
      case PT_ALTER_RESP:
        this.bindAck(b, u16, u32, le, callId, bodyEnd, auth, sink, `${typeName}: call_id: ${callId}, Fragment: ${frag}`);
        return;
      case PT_REQUEST:
        this.request(dir, b, u16, u32, le, flags, callId, bodyEnd, auth, ctx, frag);
        return;
      case PT_RESPONSE:
      case PT_FAULT:
        this.response(dir, b, u16, u32, ptype, flags, callId, bodyEnd, auth, ctx, frag);
        return;
      case PT_BIND_NAK:
        if (fragLen >= 18) sink.field('dcerpc.cn_reject_reason', u16(16));
        sink.columns('DCERPC', `${typeName}: call_id: ${callId}, Fragment: ${frag}`);
        this.proposals.delete(callId);
        return;
      default:
        if (auth !== null) this.authFields(auth, sink);
        sink.columns('DCERPC', `${typeName}: call_id: ${callId}, Fragment: ${frag}`);
    }
  }

  private authFields(a: Auth, sink: AppSink): void {
    sink.field('dcerpc.auth_type', a.type);
    sink.field('dcerpc.auth_level', a.level);
    sink.field('dcerpc.auth_pad_len', a.padLen);
    sink.field('dcerpc.auth_rsrvd', a.reserved);
    sink.field('dcerpc.auth_ctx_id', a.ctxId);
  }

  /** bind / alter_context (C706 12.6.4.3): p_cont_list_t after max_xmit, max_recv, assoc_group. */
  private bind(b: Uint8Array, u16: (o: number) => number, u32: (o: number) => number, le: boolean, callId: number, end: number, auth: Auth | null, sink: AppSink, info: string): void {
    if (end < 28) {
      this.anomaly(sink, 'bind', 'bind body truncated');
      sink.columns('DCERPC', info);
      return;
    }
    sink.field('dcerpc.cn_max_xmit', u16(16));
    sink.field('dcerpc.cn_max_recv', u16(18));
    sink.field('dcerpc.cn_assoc_group', u32(20));
    const n = b[24]!;
    sink.field('dcerpc.cn_num_ctx_items', n);
    let p = 28;
    const items: string[] = [];
    const props: Proposal[] = [];
    for (let i = 0; i < n && i < MAX_BIND_ITEMS; i++) {
      if (p + 24 > end) {
        this.anomaly(sink, 'bind', 'context item truncated');
        break;
      }
      const ctxId = u16(p);
      const nTrans = b[p + 2]!;
      const uuid = guidText(b.subarray(p + 4, p + 20), le);
      const ver = u16(p + 20);
      const verMinor = u16(p + 22);
      sink.field('dcerpc.cn_ctx_id', ctxId);
      sink.field('dcerpc.cn_num_trans_items', nTrans);
      sink.field('dcerpc.cn_bind_to_uuid', uuid);
      sink.field('dcerpc.cn_bind_if_ver', ver);
      sink.field('dcerpc.cn_bind_if_ver_minor', verMinor);
      p += 24;
      const name = interfaceByUuid(uuid)?.wsName ?? uuid;
      const transfers: string[] = [];
      for (let j = 0; j < nTrans && j < MAX_BIND_ITEMS; j++) {
        if (p + 20 > end) {
          this.anomaly(sink, 'bind', 'transfer syntax truncated');
          break;
        }
        const t = guidText(b.subarray(p, p + 16), le);
        sink.field('dcerpc.cn_bind_trans_id', t);
        if (t.startsWith(BTFN_PREFIX)) sink.field('dcerpc.cn_bind_trans_btfn', b[p + 8]! | (b[p + 9]! << 8));
        sink.field('dcerpc.cn_bind_trans_ver', u32(p + 16));
        transfers.push(t);
        items.push(`${name} V${ver}.${verMinor} (${transferName(t)})`);
        p += 20;
      }
      props.push({ ctxId, uuid, ver, verMinor, transfers });
    }
    if (auth !== null) this.authFields(auth, sink);
    if (this.proposals.size >= MAX_CONTEXTS) this.proposals.clear();
    this.proposals.set(callId, props);
    sink.columns('DCERPC', `${info}, ${n} context items: ${items.join(', ')}`);
  }

  /** bind_ack / alter_context_resp (C706 12.6.4.4): secondary address, then p_result_list_t. */
  private bindAck(b: Uint8Array, u16: (o: number) => number, u32: (o: number) => number, le: boolean, callId: number, end: number, auth: Auth | null, sink: AppSink, info: string): void {
    if (end < 26) {
      this.anomaly(sink, 'bind_ack', 'bind_ack body truncated');
      sink.columns('DCERPC', info);
      return;
    }
    const maxXmit = u16(16);
    const maxRecv = u16(18);
    sink.field('dcerpc.cn_max_xmit', maxXmit);
    sink.field('dcerpc.cn_max_recv', maxRecv);
    sink.field('dcerpc.cn_assoc_group', u32(20));
    const secLen = u16(24);
    sink.field('dcerpc.cn_sec_addr_len', secLen);
    let p = 26;
    if (secLen > 0) {
      if (p + secLen > end) {
        this.anomaly(sink, 'bind_ack', 'secondary address runs past the PDU');
        sink.columns('DCERPC', info);
        return;
      }
      let s = '';
      for (let i = 0; i < secLen && b[p + i] !== 0; i++) s += String.fromCharCode(b[p + i]!);
      sink.field('dcerpc.cn_sec_addr', s);
      p += secLen;
    }
    p = Math.ceil(p / 4) * 4;
    const results: string[] = [];
    const props = this.proposals.get(callId) ?? [];
    this.proposals.delete(callId);
    if (p + 4 <= end) {
      const n = b[p]!;
      sink.field('dcerpc.cn_num_results', n);
      p += 4;
      for (let i = 0; i < n && i < MAX_BIND_ITEMS; i++) {
        if (p + 24 > end) {
          this.anomaly(sink, 'bind_ack', 'result truncated');
          break;
        }
        const result = u16(p);
        const reason = u16(p + 2);
        const t = guidText(b.subarray(p + 4, p + 20), le);
        sink.field('dcerpc.cn_ack_result', result);
        if (result === 3) sink.field('dcerpc.cn_bind_trans_btfn', reason);
        else if (result !== 0) sink.field('dcerpc.cn_ack_reason', reason);
        sink.field('dcerpc.cn_ack_trans_id', t);
        sink.field('dcerpc.cn_ack_trans_ver', u32(p + 20));
        results.push(ACK_RESULTS[result] ?? `Unknown (${result})`);
        const prop = props[i];
        if (result === 0 && prop !== undefined) this.addContext(prop, t, sink);
        p += 24;
      }
      if (auth !== null) this.authFields(auth, sink);
      sink.columns('DCERPC', `${info}, max_xmit: ${maxXmit} max_recv: ${maxRecv}, ${n} results: ${results.join(', ')}`);
      return;
    }
    sink.columns('DCERPC', `${info}, max_xmit: ${maxXmit} max_recv: ${maxRecv}`);
  }

  private addContext(prop: Proposal, transfer: string, sink: AppSink): void {
    if (!this.contexts.has(prop.ctxId) && this.contexts.size >= MAX_CONTEXTS) {
      this.anomaly(sink, 'contexts', `more than ${MAX_CONTEXTS} presentation contexts; the oldest is forgotten`);
      const first = this.contexts.keys().next();
      if (!first.done) this.contexts.delete(first.value);
    }
    this.contexts.set(prop.ctxId, { uuid: prop.uuid, ver: prop.ver, verMinor: prop.verMinor, ndr64: isNdr64(transfer), def: interfaceByUuid(prop.uuid) });
  }

  /** The context a request names; an acceptance never seen (capture started late) falls back to the proposal. */
  private context(ctxId: number, sink: AppSink): Context | undefined {
    const c = this.contexts.get(ctxId);
    if (c !== undefined) return c;
    for (const props of this.proposals.values()) {
      const prop = props.find((x) => x.ctxId === ctxId);
      if (prop !== undefined) {
        this.addContext(prop, prop.transfers[0] ?? '', sink);
        return this.contexts.get(ctxId);
      }
    }
    this.anomaly(sink, 'context', `presentation context ${ctxId} was never bound; calls on it are not decoded`);
    return undefined;
  }

  /** Collects a fragmented stub; returns the whole stub on the last fragment, else null. */
  private assemble(dir: Dir, flags: number, callId: number, stub: Uint8Array, sink: AppSink): { stub: Uint8Array; complete: boolean } | null {
    const first = (flags & PFC_FIRST) !== 0;
    const last = (flags & PFC_LAST) !== 0;
    if (first && last) return { stub, complete: true };
    const d = this.dirs[dir];
    let a = d.assemblies.find((x) => x.callId === callId);
    if (first || a === undefined) {
      if (a !== undefined) d.assemblies.splice(d.assemblies.indexOf(a), 1);
      if (d.assemblies.length >= MAX_FRAGMENTED_CALLS) {
        this.anomaly(sink, 'fragments', `more than ${MAX_FRAGMENTED_CALLS} fragmented calls at once; the oldest is dropped`);
        d.assemblies.shift();
      }
      a = { callId, parts: [], size: 0, overflow: !first };
      d.assemblies.push(a);
    }
    if (!a.overflow && a.size + stub.length <= MAX_CALL_STUB) {
      a.parts.push(stub.slice());
      a.size += stub.length;
    } else if (!a.overflow) {
      this.anomaly(sink, 'fragments', `call ${callId} exceeds ${MAX_CALL_STUB} stub bytes; not decoded`);
      a.overflow = true;
      a.parts = [];
    }
    if (!last) return null;
    d.assemblies.splice(d.assemblies.indexOf(a), 1);
    if (a.overflow) return { stub: EMPTY, complete: false };
    const out = new Uint8Array(a.size);
    let o = 0;
    for (const part of a.parts) {
      out.set(part, o);
      o += part.length;
    }
    return { stub: out, complete: true };
  }

  private stubBounds(start: number, end: number, auth: Auth | null): number {
    if (auth === null) return end;
    return end - auth.padLen >= start ? end - auth.padLen : end;
  }

  private request(dir: Dir, b: Uint8Array, u16: (o: number) => number, u32: (o: number) => number, le: boolean, flags: number, callId: number, end: number, auth: Auth | null, ctx: FrameCtx, frag: string): void {
    const sink = ctx.sink;
    if (end < 24) {
      this.anomaly(sink, 'request', 'request header truncated');
      sink.columns('DCERPC', `Request: call_id: ${callId}, Fragment: ${frag}`);
      return;
    }
    const ctxId = u16(20);
    const opnum = u16(22);
    sink.field('dcerpc.cn_alloc_hint', u32(16));
    sink.field('dcerpc.cn_ctx_id', ctxId);
    sink.field('dcerpc.opnum', opnum);
    let start = 24;
    if (flags & PFC_OBJECT) {
      if (end < 40) {
        this.anomaly(sink, 'request', 'object UUID truncated');
        return;
      }
      sink.field('dcerpc.obj_id', guidText(b.subarray(24, 40), le));
      start = 40;
    }
    if (auth !== null) this.authFields(auth, sink);
    const c = this.context(ctxId, sink);
    const def = c?.def;
    const generic = `Request: call_id: ${callId}, Fragment: ${frag}, opnum: ${opnum}, Ctx: ${ctxId}`;
    const whole = this.assemble(dir, flags, callId, b.subarray(start, this.stubBounds(start, end, auth)), sink);
    if (whole === null) {
      sink.columns('DCERPC', `${generic}${c ? ` ${c.def?.wsName ?? c.uuid} V${c.ver}` : ''}`);
      return;
    }
    const names = operationName(def, opnum);
    const diss = c !== undefined && def?.dissector != null && def.dissector.versions.includes(c.ver) ? def.dissector : null;
    const encrypted = auth !== null && auth.level === AUTH_LEVEL_PRIVACY;
    const out = new DecodeOut();
    if (def?.name === 'drsuapi' && opnum === 3) out.arg('dcsync', 'true');
    if (encrypted) out.arg('encrypted', 'true');
    const decoder = def?.requests?.[opnum];
    if (c !== undefined && decoder !== undefined && !encrypted && whole.complete) {
      try {
        decoder(new Ndr(whole.stub, le, c.ndr64), out, { handles: this.handles, requestArgs: {} });
      } catch (e) {
        if (!(e instanceof NdrError)) throw e;
        this.anomaly(sink, 'stub', `${names.record ?? `opnum ${opnum}`} request stub malformed: ${e.message}`);
      }
    }
    if (diss !== null) {
      sink.field(diss.proto, EMPTY);
      sink.field(diss.opnum, opnum);
      for (const [name, v] of out.fields) sink.field(name, v);
      const op = names.ws ?? `Unknown operation ${opnum}`;
      sink.columns(diss.column, [`${op} request`, ...out.info].join(', '));
    } else {
      sink.columns('DCERPC', `${generic}${c ? ` ${def?.wsName ?? c.uuid} V${c.ver}` : ''}`);
    }
    const rec: DcerpcCallRecord = {
      kind: 'dcerpc.call',
      frame: ctx.frame,
      stream: this.info.stream,
      transport: this.transport,
      pipe: this.pipe ?? null,
      interfaceUuid: c?.uuid ?? '',
      interfaceName: def?.name ?? null,
      opnum,
      operation: names.record,
      args: out.args,
      status: null,
    };
    if (this.calls.has(callId)) {
      // A call id reused before its response: the earlier call is reported unanswered.
      sink.record(this.calls.get(callId)!.rec);
      this.calls.delete(callId);
    }
    if (this.calls.size >= MAX_PENDING_CALLS) {
      const oldest = this.calls.entries().next();
      if (!oldest.done) {
        sink.record(oldest.value[1].rec);
        this.calls.delete(oldest.value[0]);
      }
    }
    this.calls.set(callId, { rec, opnum, ctx: c, tsSec: ctx.tsSec, tsNsec: ctx.tsNsec });
  }

  private response(dir: Dir, b: Uint8Array, u16: (o: number) => number, u32: (o: number) => number, ptype: number, flags: number, callId: number, end: number, auth: Auth | null, ctx: FrameCtx, frag: string): void {
    const sink = ctx.sink;
    const typeName = ptype === PT_FAULT ? 'Fault' : 'Response';
    if (end < 24) {
      this.anomaly(sink, 'response', 'response header truncated');
      sink.columns('DCERPC', `${typeName}: call_id: ${callId}, Fragment: ${frag}`);
      return;
    }
    const ctxId = u16(20);
    sink.field('dcerpc.cn_alloc_hint', u32(16));
    sink.field('dcerpc.cn_ctx_id', ctxId);
    sink.field('dcerpc.cn_cancel_count', b[22]!);
    const call = this.calls.get(callId);
    let faultStatus: number | null = null;
    if (ptype === PT_FAULT) {
      sink.field('dcerpc.cn_fault_flags', b[23]!);
      if (end >= 28) {
        faultStatus = u32(24);
        sink.field('dcerpc.cn_status', faultStatus);
      }
    }
    if (auth !== null) this.authFields(auth, sink);
    if (call !== undefined) {
      sink.field('dcerpc.opnum', call.opnum);
      sink.field('dcerpc.request_in', call.rec.frame);
      sink.field('dcerpc.time', ctx.tsSec - call.tsSec + (ctx.tsNsec - call.tsNsec) / 1e9);
    }
    const c = call?.ctx ?? this.contexts.get(ctxId);
    const suffix = c ? ` ${c.def?.wsName ?? c.uuid} V${c.ver}` : '';
    if (ptype === PT_FAULT) {
      const name = faultStatus === null ? '' : `, status: ${FAULT_NAMES[faultStatus] ?? `Unknown (0x${faultStatus.toString(16).padStart(8, '0')})`}`;
      sink.columns('DCERPC', `Fault: call_id: ${callId}, Fragment: ${frag}, Ctx: ${ctxId}${name}${suffix}`);
      if (call !== undefined) this.finish(callId, call, faultStatus, null, sink);
      return;
    }
    const whole = this.assemble(dir, flags, callId, b.subarray(24, this.stubBounds(24, end, auth)), sink);
    if (whole === null) {
      sink.columns('DCERPC', `Response: call_id: ${callId}, Fragment: ${frag}, Ctx: ${ctxId}${suffix}`);
      return;
    }
    if (call === undefined) {
      sink.columns('DCERPC', `Response: call_id: ${callId}, Fragment: ${frag}, Ctx: ${ctxId}${suffix}`);
      return;
    }
    const def = c?.def;
    const names = operationName(def, call.opnum);
    const diss = c !== undefined && def?.dissector != null && def.dissector.versions.includes(c.ver) ? def.dissector : null;
    const encrypted = auth !== null && auth.level === AUTH_LEVEL_PRIVACY;
    const out = new DecodeOut();
    const stub = whole.stub;
    // Every operation here returns its status (NTSTATUS, WERROR or DWORD) as the last 4 stub bytes.
    let status: number | null = null;
    if (whole.complete && !encrypted && stub.length >= 4) status = new DataView(stub.buffer, stub.byteOffset + stub.length - 4, 4).getUint32(0, b[4]! >> 4 === 1);
    const decoder = def?.responses?.[call.opnum];
    if (c !== undefined && decoder !== undefined && !encrypted && whole.complete) {
      const dctx: DecodeCtx = { handles: this.handles, requestArgs: call.rec.args };
      try {
        decoder(new Ndr(stub, b[4]! >> 4 === 1, c.ndr64), out, dctx);
      } catch (e) {
        if (!(e instanceof NdrError)) throw e;
        this.anomaly(sink, 'stub', `${names.record ?? `opnum ${call.opnum}`} response stub malformed: ${e.message}`);
      }
    }
    if (out.newHandle !== null) {
      if (this.handles.size >= MAX_HANDLES) {
        const first = this.handles.keys().next();
        if (!first.done) this.handles.delete(first.value);
      }
      this.handles.set(out.newHandle.handle, { name: out.newHandle.name, service: out.newHandle.service });
    }
    if (diss !== null) {
      sink.field(diss.proto, EMPTY);
      sink.field(diss.opnum, call.opnum);
      sink.field('dcerpc.request_in', call.rec.frame);
      for (const [name, v] of out.fields) sink.field(name, v);
      const op = names.ws ?? `Unknown operation ${call.opnum}`;
      const info = [`${op} response`, ...out.info];
      if (status !== null && status !== 0 && def?.statusInfo != null) {
        info.push(ntStatusName(status));
        if (def.statusInfo === 'status+error') info.push(`Error: ${ntStatusName(status)}`);
      }
      sink.columns(diss.column, info.join(', '));
    } else {
      sink.columns('DCERPC', `Response: call_id: ${callId}, Fragment: ${frag}, Ctx: ${ctxId}${suffix}`);
    }
    this.finish(callId, call, status, out.args, sink);
  }

  private finish(callId: number, call: PendingCall, status: number | null, args: Record<string, string> | null, sink: AppSink): void {
    this.calls.delete(callId);
    if (args !== null) {
      // What the response says wins (an ept_map request's tower carries placeholder port and address).
      for (const [k, v] of Object.entries(args)) call.rec.args[k] = v;
      const port = args['port'];
      const ip = args['ip'];
      if (port !== undefined && ip !== undefined) this.hooks.onEndpoint?.(ip, Number(port), call.rec.args['interfaceUuid'] ?? null);
    }
    call.rec.status = status;
    sink.record(call.rec);
  }
}

const FLAG_FIELDS: readonly [string, number][] = [
  ['dcerpc.cn_flags.object', 0x80],
  ['dcerpc.cn_flags.maybe', 0x40],
  ['dcerpc.cn_flags.dne', 0x20],
  ['dcerpc.cn_flags.mpx', 0x10],
  ['dcerpc.cn_flags.reserved', 0x08],
  ['dcerpc.cn_flags.cancel_pending', 0x04],
  ['dcerpc.cn_flags.last_frag', 0x02],
  ['dcerpc.cn_flags.first_frag', 0x01],
];

function newDir(): DirState {
  return { buf: null, len: 0, dead: false, resync: false, assemblies: [] };
}
