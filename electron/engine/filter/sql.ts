/**
 * Display-filter back end: a checked filter tree (shared/filter/ast.ts) → SQL over the
 * packets table, with bound parameters only (no value is ever spliced into the text).
 *
 * The SQL is EXACT only for frames without PF_MULTI: those hold at most one occurrence of
 * every stored field (one IP header, one transport header, one Ethernet header), so the
 * stored columns are the frame's complete occurrence lists. Frames flagged PF_MULTI
 * (tunnels, ICMP errors quoting headers, damaged frames) are always re-dissected and decided
 * by the JS evaluator, as are filters that use a field the packets table does not store.
 *
 * `compileSql` returns, per node, `exact` (SQL that decides the node for non-MULTI frames,
 * or null) and `superset` (SQL true for every non-MULTI frame the node may match): an AND
 * of a stored test and an unstored one still narrows the frames to re-dissect.
 */
import type { CheckedExpr, CheckedValue, FieldValue, Ipv4Literal, Ipv6Literal, Literal } from '../../../shared/filter/ast.js';
import { PF_APP, PF_ETH, PF_IP4, PF_IP6, PF_IP_FRAGMENT, PF_IS_TCP } from '../store/schema.js';

export type SqlParam = number | string | bigint;

export interface SqlFragment {
  exact: string | null;
  superset: string;
}

/** What the compiler needs to know about the case. */
export interface SqlEnv {
  /** packets.id of frame 0 of the capture (capture_id × 2^32). */
  base: number;
  /** frame.interface_id exists only in pcapng captures. */
  pcapng: boolean;
  /** Largest |timestamp seconds| in the capture: beyond 2^33 s the nanosecond arithmetic
   * below would overflow SQLite's 64-bit integers, so time tests go to the evaluator. */
  maxAbsSec: number;
  /** First frame's time, for frame.time_relative. */
  firstSec: number;
  firstNsec: number;
  /** Hosts of the case for address predicates (id, family, ip4, address text). */
  hosts(): readonly HostEntry[];
  /** Protocol-column id of a name, or undefined when no frame has it. */
  protocolId(name: string): number | undefined;
  /**
   * Compile over half-flows (`hf`: one row per direction of a flow, see HALF_FLOWS in
   * run.ts) instead of packets: only addresses, ports and the ip/ipv6/tcp/udp protocols
   * are available; any other field leaves the result inexact.
   */
  halfFlow?: boolean;
  /** Id of an application field in field_names, or undefined when no frame has it. */
  appFieldId?(name: string): number | undefined;
}

/**
 * Protocols whose fields the application analyzers store per frame (app_fields) instead of
 * the packets table: tested for presence in SQL, decided by the evaluator with the stored values.
 */
export const APP_PROTOCOLS: ReadonlySet<string> = new Set(['http', 'dns', 'mdns', 'llmnr', 'tls', 'quic', 'x509sat', 'x509af', 'x509ce', 'x509if', 'ja3', 'ja4']);

export function isAppField(name: string): boolean {
  const dot = name.indexOf('.');
  return APP_PROTOCOLS.has(dot < 0 ? name : name.slice(0, dot));
}

export interface HostEntry {
  id: number;
  family: 4 | 6;
  ip4: number | null;
  addr: string;
}

/** TCP flag bits as stored in packets.flags (the TCP flags byte, AE/NS in bit 8). */
const TCP_FLAG_BITS: Record<string, number> = {
  'tcp.flags.fin': 0x01,
  'tcp.flags.syn': 0x02,
  'tcp.flags.reset': 0x04,
  'tcp.flags.push': 0x08,
  'tcp.flags.ack': 0x10,
  'tcp.flags.urg': 0x20,
  'tcp.flags.ece': 0x40,
  'tcp.flags.cwr': 0x80,
  'tcp.flags.ae': 0x100,
};

const UDP_PRESENT = `(p.ipproto = 17 AND (p.flags & ${PF_IP_FRAGMENT}) = 0)`;
const TCP_PRESENT = `(p.flags & ${PF_IS_TCP}) != 0`;

/** How a stored field reads: its presence test and one SQL column per occurrence. */
interface StoredField {
  present: string;
  /** Occurrence columns (two for either-side fields). */
  cols: string[];
  /** 'host4'/'host6' columns hold host ids: predicates are decided on the hosts table. */
  kind: 'int' | 'host4' | 'host6' | 'ether' | 'time' | 'reltime' | 'bool';
  /** For bool fields: the bit in packets.flags. */
  bit?: number;
}

const HF_TCP = '(hf.ipproto = 6 AND hf.sport IS NOT NULL)';
const HF_UDP = '(hf.ipproto = 17 AND hf.sport IS NOT NULL)';

/**
 * Fields every packet of one direction of a flow shares: its addresses, ports and
 * transport. A non-MULTI packet's columns equal its half-flow's (the indexer keys flows on
 * exactly these columns; a TCP/UDP header that was read gives the ports, IP fragments
 * without one have a portless flow), so a filter on these alone is decided per half-flow.
 */
function halfFlowField(name: string): StoredField | null {
  switch (name) {
    case 'ip.src':
      return { present: 'hf.fam = 4', cols: ['hf.src'], kind: 'host4' };
    case 'ip.dst':
      return { present: 'hf.fam = 4', cols: ['hf.dst'], kind: 'host4' };
    case 'ip.addr':
      return { present: 'hf.fam = 4', cols: ['hf.src', 'hf.dst'], kind: 'host4' };
    case 'ipv6.src':
      return { present: 'hf.fam = 6', cols: ['hf.src'], kind: 'host6' };
    case 'ipv6.dst':
      return { present: 'hf.fam = 6', cols: ['hf.dst'], kind: 'host6' };
    case 'ipv6.addr':
      return { present: 'hf.fam = 6', cols: ['hf.src', 'hf.dst'], kind: 'host6' };
    case 'tcp.srcport':
      return { present: HF_TCP, cols: ['hf.sport'], kind: 'int' };
    case 'tcp.dstport':
      return { present: HF_TCP, cols: ['hf.dport'], kind: 'int' };
    case 'tcp.port':
      return { present: HF_TCP, cols: ['hf.sport', 'hf.dport'], kind: 'int' };
    case 'udp.srcport':
      return { present: HF_UDP, cols: ['hf.sport'], kind: 'int' };
    case 'udp.dstport':
      return { present: HF_UDP, cols: ['hf.dport'], kind: 'int' };
    case 'udp.port':
      return { present: HF_UDP, cols: ['hf.sport', 'hf.dport'], kind: 'int' };
    case 'tcp.stream':
      return { present: HF_TCP, cols: ['hf.stream'], kind: 'int' };
    default:
      return null;
  }
}

/** Protocols whose presence a half-flow decides. */
function halfFlowProtocol(name: string): string | null {
  switch (name) {
    case 'ip':
      return 'hf.fam = 4';
    case 'ipv6':
      return 'hf.fam = 6';
    case 'tcp':
      return HF_TCP;
    case 'udp':
      return HF_UDP;
    default:
      return null;
  }
}

/** Field names a half-flow holds (for the "every match has a flow" test in run.ts). */
export const HALF_FLOW_FIELDS: ReadonlySet<string> = new Set([
  'ip.src', 'ip.dst', 'ip.addr', 'ipv6.src', 'ipv6.dst', 'ipv6.addr',
  'tcp.srcport', 'tcp.dstport', 'tcp.port', 'udp.srcport', 'udp.dstport', 'udp.port', 'ip', 'ipv6', 'tcp', 'udp', 'tcp.stream',
]);

function storedField(name: string, env: SqlEnv): StoredField | null {
  if (env.halfFlow) return halfFlowField(name);
  switch (name) {
    case 'frame.number':
      return { present: '1', cols: [`(p.id - ${env.base})`], kind: 'int' };
    case 'frame.len':
      return { present: '1', cols: ['p.origlen'], kind: 'int' };
    case 'frame.cap_len':
      return { present: '1', cols: ['p.caplen'], kind: 'int' };
    case 'frame.interface_id':
      return { present: env.pcapng ? '1' : '0', cols: ['p.iface'], kind: 'int' };
    case 'frame.time':
    case 'frame.time_epoch':
      return { present: '1', cols: ['p.ts_sec'], kind: 'time' };
    case 'frame.time_relative':
      return { present: '1', cols: ['p.ts_sec'], kind: 'reltime' };
    case 'ip.src':
      return { present: `(p.flags & ${PF_IP4}) != 0`, cols: ['p.src'], kind: 'host4' };
    case 'ip.dst':
      return { present: `(p.flags & ${PF_IP4}) != 0`, cols: ['p.dst'], kind: 'host4' };
    case 'ip.addr':
      return { present: `(p.flags & ${PF_IP4}) != 0`, cols: ['p.src', 'p.dst'], kind: 'host4' };
    case 'ipv6.src':
      return { present: `(p.flags & ${PF_IP6}) != 0`, cols: ['p.src'], kind: 'host6' };
    case 'ipv6.dst':
      return { present: `(p.flags & ${PF_IP6}) != 0`, cols: ['p.dst'], kind: 'host6' };
    case 'ipv6.addr':
      return { present: `(p.flags & ${PF_IP6}) != 0`, cols: ['p.src', 'p.dst'], kind: 'host6' };
    case 'tcp.srcport':
      return { present: TCP_PRESENT, cols: ['p.sport'], kind: 'int' };
    case 'tcp.dstport':
      return { present: TCP_PRESENT, cols: ['p.dport'], kind: 'int' };
    case 'tcp.port':
      return { present: TCP_PRESENT, cols: ['p.sport', 'p.dport'], kind: 'int' };
    case 'udp.srcport':
      return { present: UDP_PRESENT, cols: ['p.sport'], kind: 'int' };
    case 'udp.dstport':
      return { present: UDP_PRESENT, cols: ['p.dport'], kind: 'int' };
    case 'udp.port':
      return { present: UDP_PRESENT, cols: ['p.sport', 'p.dport'], kind: 'int' };
    case 'tcp.stream':
      return { present: TCP_PRESENT, cols: ['(SELECT tcp_stream FROM flows WHERE id = p.flow)'], kind: 'int' };
    case 'eth.src':
      return { present: `(p.flags & ${PF_ETH}) != 0`, cols: ['p.eth_src'], kind: 'ether' };
    case 'eth.dst':
      return { present: `(p.flags & ${PF_ETH}) != 0`, cols: ['p.eth_dst'], kind: 'ether' };
    case 'eth.addr':
      return { present: `(p.flags & ${PF_ETH}) != 0`, cols: ['p.eth_src', 'p.eth_dst'], kind: 'ether' };
    default: {
      const bit = TCP_FLAG_BITS[name];
      if (bit !== undefined) return { present: TCP_PRESENT, cols: [`((p.flags & ${bit}) != 0)`], kind: 'bool', bit };
      return null;
    }
  }
}

/** Presence of a protocol, for non-MULTI frames. */
function protocolPresent(name: string, env: SqlEnv): string | null {
  if (env.halfFlow) return halfFlowProtocol(name);
  switch (name) {
    case 'frame':
      return '1';
    case 'eth':
      return `(p.flags & ${PF_ETH}) != 0`;
    case 'ip':
      return `(p.flags & ${PF_IP4}) != 0`;
    case 'ipv6':
      return `(p.flags & ${PF_IP6}) != 0`;
    case 'tcp':
      return TCP_PRESENT;
    case 'udp':
      return UDP_PRESENT;
    case 'icmp':
      return `(p.ipproto = 1 AND (p.flags & ${PF_IP4}) != 0 AND (p.flags & ${PF_IP_FRAGMENT}) = 0)`;
    case 'icmpv6':
      return `(p.ipproto = 58 AND (p.flags & ${PF_IP6}) != 0 AND (p.flags & ${PF_IP_FRAGMENT}) = 0)`;
    // arp: decided by the evaluator (the Protocol column is not a reliable presence test).
    default:
      return null;
  }
}

const SQL_OP: Record<string, string> = { eq: '=', ne: '!=', gt: '>', ge: '>=', lt: '<', le: '<=' };

function cmp(op: string, a: number | bigint, b: number | bigint): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    default:
      return a <= b;
  }
}

function ip4Matches(ip4: number, op: string, lit: Ipv4Literal): boolean {
  const mask = lit.prefix === 0 ? 0 : (0xffffffff << (32 - lit.prefix)) >>> 0;
  return cmp(op, (ip4 & mask) >>> 0, (lit.addr & mask) >>> 0);
}

function ip6Big(text: string): bigint {
  // RFC 5952 text (as stored) → 128-bit integer; a dotted IPv4 tail is two groups.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, dotted.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === null ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(parseInt(g || '0', 16));
  return v;
}

function ip6Matches(addr: string, op: string, lit: Ipv6Literal): boolean {
  const mask = lit.prefix === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - lit.prefix)) - 1n);
  return cmp(op, ip6Big(addr) & mask, BigInt('0x' + (lit.hex || '0')) & mask);
}

export class SqlBuilder {
  readonly params: SqlParam[] = [];
  constructor(private readonly env: SqlEnv) {}

  private param(v: SqlParam): string {
    this.params.push(v);
    return '?';
  }

  /** Host ids matching (op, literal): decided in JS on the (small) hosts table. */
  private hostSet(kind: 'host4' | 'host6', op: string, lit: Literal): string | null {
    let ids: number[];
    if (kind === 'host4' && lit.kind === 'ipv4') {
      ids = this.env.hosts().filter((h) => h.family === 4 && h.ip4 !== null && ip4Matches(h.ip4, op, lit)).map((h) => h.id);
    } else if (kind === 'host6' && lit.kind === 'ipv6') {
      ids = this.env.hosts().filter((h) => h.family === 6 && ip6Matches(h.addr, op, lit)).map((h) => h.id);
    } else return null;
    if (ids.length === 0) return '0';
    if (ids.length === 1) return `= ${this.param(ids[0]!)}`;
    return `IN (SELECT value FROM json_each(${this.param(JSON.stringify(ids))}))`;
  }

  /** SQL test of one occurrence column against one literal, or null when not storable. */
  private occurrence(f: StoredField, col: string, op: string, lit: Literal): string | null {
    switch (f.kind) {
      case 'int':
        if (lit.kind !== 'integer') return null;
        return `${col} ${SQL_OP[op]} ${this.param(lit.value)}`;
      case 'bool': {
        const v = lit.kind === 'bool' ? (lit.value ? 1 : 0) : lit.kind === 'integer' ? Number(lit.value) : null;
        if (v === null) return null;
        return `${col} ${SQL_OP[op]} ${this.param(v)}`;
      }
      case 'ether':
        if (lit.kind !== 'ether') return null;
        return `${col} ${SQL_OP[op]} ${this.param(lit.value)}`;
      case 'host4':
      case 'host6': {
        const set = this.hostSet(f.kind, op, lit);
        if (set === null) return null;
        return set === '0' ? '0' : `${col} ${set}`;
      }
      case 'time': {
        if (this.env.maxAbsSec >= 2 ** 33) return null;
        // frame.time takes absolute times; frame.time_epoch (relative time since the epoch) reltimes.
        if (lit.kind !== 'time' && lit.kind !== 'reltime') return null;
        const s = this.param(lit.sec);
        const ns = this.param(lit.nsec);
        // (ts_sec, ts_nsec) compared as a pair: exact for every capture.
        return `((p.ts_sec - ${s}) * 1000000000 + (p.ts_nsec - ${ns})) ${SQL_OP[op]} 0`;
      }
      case 'reltime': {
        if (this.env.maxAbsSec >= 2 ** 33) return null;
        if (lit.kind !== 'reltime' && lit.kind !== 'integer' && lit.kind !== 'float') return null;
        const [sec, nsec] = lit.kind === 'reltime' ? [lit.sec, lit.nsec] : splitSeconds(Number(lit.value));
        // Placeholders are bound in text order.
        const fs = this.param(this.env.firstSec);
        const s = this.param(sec);
        const fns = this.param(this.env.firstNsec);
        const ns = this.param(nsec);
        return `((p.ts_sec - ${fs} - ${s}) * 1000000000 + (p.ts_nsec - ${fns} - ${ns})) ${SQL_OP[op]} 0`;
      }
    }
  }

  private quantified(f: StoredField, q: 'any' | 'all', each: (col: string) => string | null): string | null {
    const parts: string[] = [];
    for (const col of f.cols) {
      const t = each(col);
      if (t === null) return null;
      parts.push(`(${t})`);
    }
    return `(${f.present} AND (${parts.join(q === 'any' ? ' OR ' : ' AND ')}))`;
  }

  private field(v: CheckedValue | Literal): { def: FieldValue; stored: StoredField } | null {
    if (v.kind !== 'field') return null;
    const stored = storedField(v.name, this.env);
    return stored ? { def: v, stored } : null;
  }

  compile(e: CheckedExpr): SqlFragment {
    switch (e.kind) {
      case 'and':
      case 'or': {
        const a = this.compile(e.left);
        const b = this.compile(e.right);
        const op = e.kind === 'and' ? 'AND' : 'OR';
        return {
          exact: a.exact !== null && b.exact !== null ? `(${a.exact} ${op} ${b.exact})` : null,
          superset: `(${a.superset} ${op} ${b.superset})`,
        };
      }
      case 'not': {
        const a = this.compile(e.operand);
        return a.exact !== null ? { exact: `(NOT ${a.exact})`, superset: `(NOT ${a.exact})` } : { exact: null, superset: '1' };
      }
      default: {
        const leaf = this.leaf(e);
        // IFNULL: a NULL column must make a test false, never unknown (NOT NULL is NULL).
        if (leaf !== null) return { exact: `IFNULL(${leaf}, 0)`, superset: `IFNULL(${leaf}, 0)` };
        // A test on an application field needs the field on the frame: narrow to those frames.
        const name = e.kind === 'compare' && e.left.kind === 'field' ? e.left.name : e.kind === 'in' ? e.operand.name : null;
        if (name !== null && isAppField(name) && !this.env.halfFlow) return { exact: null, superset: this.appPresent(name) };
        return { exact: null, superset: '1' };
      }
    }
  }

  /** The frame has at least one stored occurrence of an application field. */
  private appPresent(name: string): string {
    const id = this.env.appFieldId?.(name);
    if (id === undefined) return '0';
    return `((p.flags & ${PF_APP}) != 0 AND EXISTS (SELECT 1 FROM app_fields a WHERE a.packet_id = p.id AND a.field = ${this.param(id)}))`;
  }

  private leaf(e: CheckedExpr): string | null {
    switch (e.kind) {
      case 'exists': {
        if (e.value.kind !== 'field') return null;
        if (isAppField(e.value.name)) return this.env.halfFlow ? null : this.appPresent(e.value.name);
        if (e.value.fieldType === 'protocol') return protocolPresent(e.value.name, this.env);
        const f = storedField(e.value.name, this.env);
        return f ? `(${f.present})` : null;
      }
      case 'compare': {
        const l = this.field(e.left);
        if (!l || e.right.kind === 'field' || e.right.kind === 'slice' || e.right.kind === 'function' || e.right.kind === 'bitand') return null;
        const lit = e.right as Literal;
        return this.quantified(l.stored, e.quantifier, (col) => this.occurrence(l.stored, col, e.op, lit));
      }
      case 'in': {
        const f = storedField(e.operand.name, this.env);
        if (!f) return null;
        const member = (col: string, m: CheckedInMember): string | null => {
          if (m.kind === 'range') {
            const lo = this.occurrence(f, col, 'ge', m.low);
            const hi = this.occurrence(f, col, 'le', m.high);
            return lo === null || hi === null ? null : `(${lo} AND ${hi})`;
          }
          return this.occurrence(f, col, 'eq', m);
        };
        if (e.quantifier === 'any') {
          return this.quantified(f, 'any', (col) => {
            const parts = e.members.map((m) => member(col, m));
            return parts.some((p) => p === null) ? null : parts.map((p) => `(${p})`).join(' OR ');
          });
        }
        // `all x in {a, b}`: Wireshark 4.0 tests each member separately (see ast.ts).
        const alts: string[] = [];
        for (const m of e.members) {
          const t = this.quantified(f, 'all', (col) => member(col, m));
          if (t === null) return null;
          alts.push(t);
        }
        return alts.length ? `(${alts.join(' OR ')})` : '0';
      }
      default:
        return null;
    }
  }
}

type CheckedInMember = Extract<CheckedExpr, { kind: 'in' }>['members'][number];

function splitSeconds(v: number): [number, number] {
  const sec = Math.floor(v);
  return [sec, Math.round((v - sec) * 1e9)];
}
