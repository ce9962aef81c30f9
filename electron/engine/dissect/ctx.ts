/**
 * Per-frame dissection context and the bounds checks every dissector uses.
 *
 * The fast path must not allocate per frame, so dissectors do not build `Reader`
 * objects per layer. Instead each layer receives `(c, off, end, rend)`:
 *  - `off`  where the layer starts in `c.data`;
 *  - `end`  one past the last *captured* byte the layer may read;
 *  - `rend` one past the last byte the layer has *on the wire* (its reported length:
 *           the frame's original length, narrowed by IP total length, UDP length, ...).
 * `end <= rend` always. `need()` throws the reader's own errors, with Wireshark's
 * distinction: reading past `end` but within `rend` is TruncatedError (snaplen cut the
 * packet: "[Packet size limited during capture]"); past `rend` it is MalformedError (a
 * length field lies: "[Malformed Packet]").
 */
import type { Anomaly } from '../../../shared/model.js';
import { MalformedError, TruncatedError } from '../bytes/reader.js';
import { FragmentTable } from './reassembly.js';
import type { FrameSummary, InnerSummary, TreeSink } from './types.js';

const EMPTY = new Uint8Array(0);

/** Throw the right reader error unless b[off, off+n) is inside [.., end) ⊆ [.., rend). */
export function need(off: number, n: number, end: number, rend: number): void {
  if (off + n > end) short(off, n, end, rend);
}

export function short(off: number, n: number, end: number, rend: number): never {
  if (off + n > rend) {
    throw new MalformedError(off, `needs ${n} bytes but only ${Math.max(0, rend - off)} are on the wire`);
  }
  throw new TruncatedError(off, n, Math.max(0, end - off));
}

/**
 * A sub-item (e.g. a TCP option) whose length field runs past the reported end of its
 * container: still malformed, but Wireshark words the Info tail differently.
 */
export class ContainedItemError extends MalformedError {
  constructor(offset: number, detail: string) {
    super(offset, detail);
  }
}

/** Like need(), for a length-prefixed item of `n` bytes at `off` whose header was readable. */
export function needItem(off: number, n: number, end: number, rend: number): void {
  if (off + n <= end) return;
  if (off + n > rend) throw new ContainedItemError(off, `length of contained item (${n} bytes) exceeds length of containing item`);
  throw new TruncatedError(off, n, Math.max(0, end - off));
}

/**
 * Protocol-stack strings ("eth:ethertype:ip:tcp") come from a trie shared by every frame,
 * so the fast path builds none: pushing a layer is one Map lookup.
 */
interface StackNode {
  readonly text: string;
  readonly next: Map<string, StackNode>;
  /** One-entry cache in front of `next`: consecutive frames mostly share their stack. */
  lastKey: string;
  lastNode: StackNode | null;
}

const STACK_ROOT: StackNode = { text: '', next: new Map(), lastKey: '', lastNode: null };

/**
 * Trie nodes kept. Real traffic uses a few dozen stacks; only crafted nesting produces
 * many, and past this bound stacks are simply concatenated per frame.
 */
const MAX_STACK_NODES = 4096;
let stackNodes = 0;

export class Ctx {
  /** Current protocol-stack trie node; null once a frame's stack left the trie. */
  stack: StackNode | null = STACK_ROOT;
  /** Bytes being dissected: the frame, or a reassembled datagram (see `source`). */
  data: Uint8Array = EMPTY;
  s!: FrameSummary;
  tree: TreeSink | null = null;
  frameNo = 0;
  /** Wireshark abbreviation of the layer being dissected, for anomaly attribution. */
  layer = '';
  /** Encapsulations entered (VXLAN, IP-in-IP); bounded by MAX_ENCAP_DEPTH. */
  encap = 0;
  /** > 0 while dissecting the datagram quoted inside an ICMP/ICMPv6 error. */
  quoted = 0;
  /** VLAN tags seen in the current link-layer header (bounded by MAX_VLAN_TAGS). */
  vlanTags = 0;
  /** Outermost VLAN id of the current link layer, -1 if none (part of the IPv4 reassembly key). */
  vlanId = -1;
  /** TTL / hop limit of the innermost IP header (ICMP's "ttl=", ICMPv6's "hop limit="). */
  ttl = 0;
  /** Innermost IP header addresses: IPv4 as numbers, IPv6 as 16-byte copies (tree mode only). */
  ip4Src = 0;
  ip4Dst = 0;
  readonly ip6Src = new Uint8Array(16);
  readonly ip6Dst = new Uint8Array(16);
  ipVersion = 0;
  /** Name of the data source when `data` is a reassembled datagram ("Reassembled IPv4"). */
  source: string | null = null;
  /** Index of the first top-level tree node built from the reassembled source, -1 if none. */
  sourceTreeIndex = -1;
  /** Frames of the reassembly completed in this frame (offset order), else null. */
  reassembledFrames: number[] | null = null;
  /** Capture time in seconds for reassembly timeouts, NaN when unknown. */
  now = NaN;
  /** Leave TCP Info to the caller's tcpInfo() (DissectState.deferTcpInfo). */
  deferTcpInfo = false;

  readonly ip4Frags = new FragmentTable('ip');
  readonly ip6Frags = new FragmentTable('ipv6');

  /** True outside tunnels and ICMP quotes: only then may a layer write the summary's outer fields. */
  get outer(): boolean {
    return this.encap === 0 && this.quoted === 0;
  }

  /** The tunnelled-packet summary, created on first use in a frame. */
  innerSummary(): InnerSummary {
    let i = this.s.inner;
    if (i === null) {
      i = { l3: 0, src: '', dst: '', ipProto: -1, srcPort: -1, dstPort: -1, tcpFlags: -1, tcpSeq: 0, tcpAck: 0, l4Len: -1, payloadOffset: 0, payloadLen: 0 };
      this.s.inner = i;
    }
    return i;
  }

  /**
   * The summary of the datagram an ICMP error quotes, for the outermost quote of an
   * untunnelled frame only (the conversation the error is about); null elsewhere.
   */
  quoteSummary(): InnerSummary | null {
    if (this.quoted !== 1 || this.encap !== 0) return null;
    let q = this.s.quote;
    if (q === null) {
      q = { l3: 0, src: '', dst: '', ipProto: -1, srcPort: -1, dstPort: -1, tcpFlags: -1, tcpSeq: 0, tcpAck: 0, l4Len: -1, payloadOffset: 0, payloadLen: 0 };
      this.s.quote = q;
    }
    return q;
  }

  /** Record a problem that does not stop dissection (Wireshark's expert info). */
  anomaly(kind: Anomaly['kind'], offset: number, detail: string): void {
    this.s.anomalies.push({ kind, layer: this.layer, offset, detail });
    if (this.tree !== null) {
      const n = this.tree.add(`[${detail}]`, offset, 0, '_ws.expert', detail);
      n.anomaly = kind;
    }
  }

  /** Append a layer to the protocol stack (`eth:ethertype:ip:tcp`). */
  push(layer: string): void {
    const s = this.s;
    const at = this.stack;
    if (at !== null) {
      if (at.lastKey === layer && at.lastNode !== null) {
        this.stack = at.lastNode;
        s.layers = at.lastNode.text;
        return;
      }
      let n = at.next.get(layer);
      if (n === undefined && stackNodes < MAX_STACK_NODES) {
        n = { text: at.text.length === 0 ? layer : at.text + ':' + layer, next: new Map(), lastKey: '', lastNode: null };
        at.next.set(layer, n);
        stackNodes++;
      }
      if (n !== undefined) {
        at.lastKey = layer;
        at.lastNode = n;
        this.stack = n;
        s.layers = n.text;
        return;
      }
      this.stack = null;
    }
    s.layers = s.layers.length === 0 ? layer : s.layers + ':' + layer;
  }

  /** Start a frame's protocol stack. */
  resetStack(): void {
    this.stack = STACK_ROOT;
  }
}
