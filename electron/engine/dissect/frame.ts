/**
 * The per-frame driver: link-type dispatch, error containment, cross-frame state, and
 * the "Frame N: ..." node of the detail tree.
 *
 * Nothing escapes a frame: TruncatedError / MalformedError from any layer become an
 * anomaly {kind, layer, offset, detail}, Wireshark's "[Packet size limited during
 * capture]" / "[Malformed Packet]" appended to Info, and a tree node; any other error
 * (a bug) is recorded the same way as "dissector error" rather than aborting an ingest.
 *
 * Fast path (tree === null): no allocation per frame beyond the Protocol / Info / layer
 * strings and the address text IPv6 needs; the context object lives in DissectState.
 *
 * Link types (tcpdump.org LINKTYPE_*): 1 Ethernet, 113 Linux SLL, 276 Linux SLL2,
 * 101 (and 12, 14) raw IP, 228 raw IPv4, 229 raw IPv6, 0 BSD NULL, 108 OpenBSD LOOP.
 */
import type { TreeNode } from '../../../shared/model.js';
import { MalformedError, TruncatedError } from '../bytes/reader.js';
import { ContainedItemError, Ctx } from './ctx.js';
import { arrivalTimeText } from './format.js';
import type { FragmentTable } from './reassembly.js';
import { LINKTYPE } from './register.js';
import { LAYER_DISPLAY, linkTypes } from './tables.js';
import { markSource, TreeBuilder } from './tree.js';
import { newSummary, resetSummary, type FrameSummary, type TreeSink } from './types.js';

export { LINKTYPE };

const EMPTY = new Uint8Array(0);

/** Cross-frame dissection state: IP reassembly tables (and the reusable per-frame context). */
export class DissectState {
  /** @internal The per-frame context, reused so the fast path allocates nothing for it. */
  readonly ctx = new Ctx();
  /**
   * Frames (offset order, including this one) of the IP datagram the last dissected
   * frame completed, or null. Replaying them through a fresh DissectState before this
   * frame rebuilds the reassembly for the detail view.
   */
  lastReassemblyFrames: number[] | null = null;

  /**
   * Capture time (epoch seconds) of the next frame, for the reassembly timeout
   * (FRAG_TIMEOUT_SEC). NaN (the default) disables the timeout; the count and byte caps
   * still bound memory.
   */
  get now(): number {
    return this.ctx.now;
  }

  set now(sec: number) {
    this.ctx.now = sec;
  }

  /**
   * When true, dissectFrame leaves `info` empty for a TCP segment whose header it read
   * (`tcpFlags >= 0`) and the caller builds it with `tcpInfo(s, seqBase, ackBase)`
   * (which also appends `infoTail`). The ingest rebuilds every TCP Info with relative
   * sequence numbers anyway, so this halves its string work. Default false.
   */
  get deferTcpInfo(): boolean {
    return this.ctx.deferTcpInfo;
  }

  set deferTcpInfo(on: boolean) {
    this.ctx.deferTcpInfo = on;
  }

  get ip4Fragments(): FragmentTable {
    return this.ctx.ip4Frags;
  }

  get ip6Fragments(): FragmentTable {
    return this.ctx.ip6Frags;
  }

  /** Forget all pending fragments (a new capture). */
  reset(): void {
    this.ctx.ip4Frags.clear();
    this.ctx.ip6Frags.clear();
    this.lastReassemblyFrames = null;
  }
}

const TAIL_TRUNCATED = '[Packet size limited during capture]';
const TAIL_MALFORMED = '[Malformed Packet]';
const TAIL_CONTAINED = '[Malformed Packet: length of contained item exceeds length of containing item]';

function fail(c: Ctx, e: unknown): void {
  const s = c.s;
  const display = LAYER_DISPLAY[c.layer] ?? c.layer;
  let kind: 'truncated' | 'malformed';
  let offset = 0;
  let detail: string;
  if (e instanceof TruncatedError) {
    kind = 'truncated';
    offset = e.offset;
    detail = `${display} truncated: needs ${e.wanted} bytes at offset ${e.offset}, ${e.available} captured`;
  } else if (e instanceof MalformedError) {
    kind = 'malformed';
    offset = e.offset;
    detail = `${display}: ${e.detail}`;
  } else {
    kind = 'malformed';
    detail = `dissector error in ${display}: ${e instanceof Error ? e.message : String(e)}`;
  }
  const tail = kind === 'truncated' ? TAIL_TRUNCATED : e instanceof ContainedItemError ? TAIL_CONTAINED : TAIL_MALFORMED;
  s.info += tail;
  s.infoTail = tail;
  s.anomalies.push({ kind, layer: c.layer, offset, detail });
  const t = c.tree;
  if (t !== null) {
    if (t instanceof TreeBuilder) t.closeAll();
    const n =
      kind === 'truncated'
        ? t.add(`[Packet size limited during capture: ${display} truncated]`, offset, 0, '_ws.short', detail)
        : t.add(`[Malformed Packet: ${display}]`, offset, 0, '_ws.malformed', detail);
    n.anomaly = kind;
  }
}

/**
 * Dissect one frame's L2–L4 headers into `s` (reset here first) and, when `tree` is
 * given, the detail tree. `origLen` is the frame's length on the wire (pcap orig_len):
 * with it, a frame cut by the snaplen is "truncated", one whose headers promise more
 * than was sent is "malformed"; it defaults to the captured length. Never throws.
 */
export function dissectFrame(
  data: Uint8Array,
  linktype: number,
  s: FrameSummary,
  tree: TreeSink | null,
  state: DissectState,
  frameNo: number,
  origLen: number = data.length,
): void {
  resetSummary(s);
  const c = state.ctx;
  c.data = data;
  c.s = s;
  c.tree = tree;
  c.frameNo = frameNo;
  c.layer = 'frame';
  c.resetStack();
  c.encap = 0;
  c.quoted = 0;
  c.vlanTags = 0;
  c.vlanId = -1;
  c.ttl = 0;
  c.ipVersion = 0;
  c.source = null;
  c.sourceTreeIndex = -1;
  c.reassembledFrames = null;
  const fn = linkTypes.get(linktype);
  if (fn === undefined) {
    s.protocol = `unknown link type ${linktype}`;
    s.info = `Unsupported link type ${linktype}`;
    c.anomaly('unsupported', 0, `Unsupported link type ${linktype}`);
  } else {
    try {
      fn(c, 0, data.length, origLen > data.length ? origLen : data.length);
    } catch (e) {
      fail(c, e);
    }
  }
  state.lastReassemblyFrames = c.reassembledFrames;
  // Do not keep the caller's buffer alive (it is a view valid only during its callback).
  c.data = EMPTY;
  c.tree = null;
}

/** What dissectTree needs besides the bytes (from the capture record). */
export interface FrameMeta {
  caplen?: number;
  origlen: number;
  tsSec: number;
  tsNsec: number;
  interfaceId?: number;
  /** pcapng if_name, shown as Wireshark does ("on interface eth0, id 0"). */
  interfaceName?: string | null;
  comments?: readonly string[] | null;
}

const ENCAP = new Map<number, readonly [string, number]>([
  [LINKTYPE.ETHERNET, ['Ethernet', 1]],
  [LINKTYPE.RAW, ['Raw IP', 7]],
  [LINKTYPE.RAW_BSD12, ['Raw IP', 7]],
  [LINKTYPE.RAW_BSD14, ['Raw IP', 7]],
  [LINKTYPE.NULL, ['NULL/Loopback', 15]],
  [LINKTYPE.LINUX_SLL, ['Linux cooked-mode capture v1', 25]],
  [LINKTYPE.IPV4, ['Raw IPv4', 129]],
  [LINKTYPE.IPV6, ['Raw IPv6', 130]],
  [LINKTYPE.LOOP, ['OpenBSD loopback', 174]],
  [LINKTYPE.LINUX_SLL2, ['Linux cooked-mode capture v2', 210]],
]);

/**
 * The full detail tree of one frame: a Wireshark-like "Frame N: X bytes on wire ..."
 * node (frame.* fields), then the protocol trees. Nodes dissected from a reassembled
 * datagram carry `source: "Reassembled IPv4"` (offsets are within that datagram).
 * `state` must have seen the frame's earlier fragments (see lastReassemblyFrames).
 */
export function dissectTree(data: Uint8Array, linktype: number, state: DissectState, frameNo: number, meta: FrameMeta): TreeNode[] {
  const tb = new TreeBuilder();
  const s = newSummary();
  const prevNow = state.now;
  state.now = meta.tsSec;
  dissectFrame(data, linktype, s, tb, state, frameNo, meta.origlen);
  state.now = prevNow;
  const c = state.ctx;
  const roots = tb.roots;
  if (c.sourceTreeIndex >= 0 && c.source !== null) {
    for (let i = c.sourceTreeIndex; i < roots.length; i++) {
      const n = roots[i]!;
      if (n.field !== '_ws.short' && n.field !== '_ws.malformed') markSource(n, c.source);
    }
  }

  const caplen = meta.caplen ?? data.length;
  const orig = meta.origlen;
  const f = new TreeBuilder();
  const iface = meta.interfaceName ? ` on interface ${meta.interfaceName}, id ${meta.interfaceId ?? 0}` : '';
  f.open(`Frame ${frameNo}: ${orig} bytes on wire (${orig * 8} bits), ${caplen} bytes captured (${caplen * 8} bits)${iface}`, 0, caplen, 'frame');
  if (meta.interfaceId !== undefined) {
    f.add(`Interface id: ${meta.interfaceId}${meta.interfaceName ? ` (${meta.interfaceName})` : ''}`, 0, 0, 'frame.interface_id', meta.interfaceId);
  }
  const encap = ENCAP.get(linktype);
  if (encap) f.add(`Encapsulation type: ${encap[0]} (${encap[1]})`, 0, 0, 'frame.encap_type', encap[1]);
  else f.add(`Encapsulation type: Unknown (link type ${linktype})`, 0, 0);
  const epoch = `${meta.tsSec}.${String(meta.tsNsec).padStart(9, '0')}`;
  f.add(`Arrival Time: ${arrivalTimeText(meta.tsSec, meta.tsNsec)}`, 0, 0, 'frame.time', epoch);
  f.add(`Epoch Time: ${epoch} seconds`, 0, 0, 'frame.time_epoch', epoch);
  f.add(`Frame Number: ${frameNo}`, 0, 0, 'frame.number', frameNo);
  f.add(`Frame Length: ${orig} bytes (${orig * 8} bits)`, 0, 0, 'frame.len', orig);
  f.add(`Capture Length: ${caplen} bytes (${caplen * 8} bits)`, 0, 0, 'frame.cap_len', caplen);
  f.add(`[Protocols in frame: ${s.layers}]`, 0, 0, 'frame.protocols', s.layers);
  f.close();
  const head: TreeNode[] = [];
  if (meta.comments && meta.comments.length) {
    const cb = new TreeBuilder();
    cb.open('Packet comments', 0, 0);
    for (const text of meta.comments) cb.add(text, 0, 0, 'frame.comment', text);
    cb.close();
    head.push(...cb.roots);
  }
  head.push(...f.roots);
  return [...head, ...roots];
}
