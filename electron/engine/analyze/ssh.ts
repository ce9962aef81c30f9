/**
 * SSH: version banners, then the cleartext part of the binary packet protocol up to
 * NEWKEYS (the KEXINIT algorithm lists, HASSH and HASSHServer).
 *
 * References: RFC 4253 §4.2 (identification string `SSH-protoversion-softwareversion SP
 * comments CR LF`, at most 255 characters; a server may send other lines first), §6 (binary
 * packet: uint32 packet_length, byte padding_length, payload, random padding, MAC; no MAC
 * before the first NEWKEYS; §6.1 packets of 35000 bytes must be supported), §7.1 (KEXINIT:
 * byte 20, cookie[16], ten name-lists, boolean first_kex_packet_follows, uint32 0; the kex
 * algorithm is the first client one the server also offers), §7.3 (NEWKEYS, 21: the
 * direction is encrypted after it); RFC 4251 §5 (name-list: uint32 length + comma list);
 * RFC 4250 §4.1 (message numbers; 30-49 are kex-method specific: RFC 4419 DH group exchange,
 * RFC 5656 ECDH). HASSH (Salesforce, 2018): hassh = MD5("kex;enc;mac;cmp") of the client's
 * KEXINIT with its client-to-server lists; hasshServer the same over the server's
 * server-to-client lists.
 *
 * Fields mirror Wireshark 4.0 (tshark 4.0.17 on the corpus): ssh.protocol and ssh.direction
 * for a banner; per packet ssh.packet_length, ssh.padding_length, ssh.message_code, the
 * KEXINIT lists with their lengths, ssh.kex.hassh(_algorithms) / ssh.kex.hasshserver(_algorithms),
 * ssh.padding_string; one ssh.direction per frame (ssh.seq_num: see the note in drain()). Key-exchange bodies
 * (DH/ECDH values, host keys, signatures) and encrypted packets are not dissected.
 */
import { createHash } from 'node:crypto';
import { Buffer } from 'node:buffer';
import type { Dir, FrameCtx, StreamInfo, TcpParser } from './types.js';

export const SSH_PORTS: readonly number[] = [22];

/** RFC 4253 §4.2: the identification line is at most 255 characters including CR LF. */
export const MAX_BANNER = 255;
/** Lines a server may send before its identification (RFC 4253 §4.2); real servers send none or a few. */
export const MAX_PRE_BANNER_LINES = 32;
/** Largest cleartext packet buffered: RFC 4253 §6.1 requires 35000; KEXINIT lists with many algorithms stay far below 64 KiB. */
export const MAX_PACKET = 256 * 1024;
/** Cleartext packets dissected per direction: key exchange takes a handful (re-keys come encrypted). */
export const MAX_CLEAR_PACKETS = 64;

/** Message names outside the kex-method range (RFC 4250 §4.1.2). */
const MESSAGES: Readonly<Record<number, string>> = {
  1: 'Disconnect',
  2: 'Ignore',
  3: 'Unimplemented',
  4: 'Debug',
  5: 'Service Request',
  6: 'Service Accept',
  7: 'Extension Info',
  20: 'Key Exchange Init',
  21: 'New Keys',
  50: 'User Authentication Request',
  51: 'User Authentication Failure',
  52: 'User Authentication Success',
  53: 'User Authentication Banner',
};

/** Names of the kex-specific messages (30-49) for the negotiated method family. */
function kexMessageName(kex: string, code: number): string {
  if (kex.startsWith('diffie-hellman-group-exchange')) {
    const n: Record<number, string> = {
      30: 'Diffie-Hellman Group Exchange Request (Old)',
      31: 'Diffie-Hellman Group Exchange Group',
      32: 'Diffie-Hellman Group Exchange Init',
      33: 'Diffie-Hellman Group Exchange Reply',
      34: 'Diffie-Hellman Group Exchange Request',
    };
    return n[code] ?? `Unknown (${code})`;
  }
  if (kex.startsWith('diffie-hellman-group')) return code === 30 ? 'Diffie-Hellman Key Exchange Init' : code === 31 ? 'Diffie-Hellman Key Exchange Reply' : `Unknown (${code})`;
  if (kex.startsWith('ecdh-sha2-') || kex.startsWith('curve25519') || kex.startsWith('curve448') || kex.startsWith('sntrup') || kex.startsWith('mlkem'))
    return code === 30 ? 'Elliptic Curve Diffie-Hellman Key Exchange Init' : code === 31 ? 'Elliptic Curve Diffie-Hellman Key Exchange Reply' : `Unknown (${code})`;
  return `Unknown (${code})`;
}

/** The ten name-lists of KEXINIT, in order (RFC 4253 §7.1), as Wireshark names their fields. */
const KEX_LISTS = [
  'kex_algorithms',
  'server_host_key_algorithms',
  'encryption_algorithms_client_to_server',
  'encryption_algorithms_server_to_client',
  'mac_algorithms_client_to_server',
  'mac_algorithms_server_to_client',
  'compression_algorithms_client_to_server',
  'compression_algorithms_server_to_client',
  'languages_client_to_server',
  'languages_server_to_client',
] as const;

export interface KexInit {
  cookie: Uint8Array;
  lists: string[];
  firstKexFollows: number;
  reserved: Uint8Array;
}

/** Parses a KEXINIT payload (after the message code); null when a length lies. */
export function parseKexInit(p: Uint8Array): KexInit | null {
  if (p.length < 16) return null;
  const cookie = p.slice(0, 16);
  let o = 16;
  const lists: string[] = [];
  for (let i = 0; i < KEX_LISTS.length; i++) {
    if (o + 4 > p.length) return null;
    const len = ((p[o]! << 24) | (p[o + 1]! << 16) | (p[o + 2]! << 8) | p[o + 3]!) >>> 0;
    o += 4;
    if (len > p.length - o) return null;
    lists.push(Buffer.from(p.subarray(o, o + len)).toString('latin1'));
    o += len;
  }
  if (o + 5 > p.length) return null;
  return { cookie, lists, firstKexFollows: p[o]!, reserved: p.slice(o + 1, o + 5) };
}

/** HASSH algorithm string and MD5 for one side (client: c2s lists; server: s2c lists). */
export function hassh(k: KexInit, server: boolean): { algorithms: string; hash: string } {
  const l = k.lists;
  const algorithms = server ? [l[0], l[3], l[5], l[7]].join(';') : [l[0], l[2], l[4], l[6]].join(';');
  return { algorithms, hash: createHash('md5').update(algorithms, 'latin1').digest('hex') };
}

interface Side {
  /** Bytes of an incomplete banner line or packet. */
  buf: Uint8Array;
  bannerDone: boolean;
  preLines: number;
  encrypted: boolean;
  seq: number;
  dead: boolean;
  kex: KexInit | null;
}

/** SSH analyzer for one TCP stream. */
export class SshParser implements TcpParser {
  private readonly sides: [Side, Side] = [this.side(), this.side()];
  /** 2 or 1 once a banner gave the protocol version (the Protocol column becomes SSHv2/SSHv1). */
  private version = 0;

  constructor(private readonly info: StreamInfo) {}

  private side(): Side {
    return { buf: new Uint8Array(0), bannerDone: false, preLines: 0, encrypted: false, seq: 0, dead: false, kex: null };
  }

  data(dir: Dir, bytes: Uint8Array, ctx: FrameCtx): void {
    const s = this.sides[dir];
    if (s.dead) return;
    try {
      const proto = this.version === 2 ? 'SSHv2' : this.version === 1 ? 'SSHv1' : 'SSH';
      const info: string[] = [];
      let emitted = false;
      if (s.encrypted) {
        info.push(`Encrypted packet (len=${bytes.length})`);
      } else {
        s.buf = concat(s.buf, bytes);
        emitted = this.drain(dir, s, ctx, info);
        if (s.encrypted && s.buf.length > 0) {
          info.push(`Encrypted packet (len=${s.buf.length})`);
          s.buf = new Uint8Array(0);
        }
      }
      if (info.length === 0) return;
      if (emitted || s.encrypted) ctx.sink.field('ssh.direction', dir);
      ctx.sink.columns(proto, `${dir === 0 ? 'Client' : 'Server'}: ${info.join(', ')}`);
    } catch (e) {
      ctx.sink.anomaly('ssh', `dissector error: ${e instanceof Error ? e.message : String(e)}`);
      s.dead = true;
    }
  }

  gap(dir: Dir, length: number, ctx: FrameCtx): void {
    const s = this.sides[dir];
    if (s.dead || s.encrypted) return;
    ctx.sink.anomaly('ssh', `${length} bytes missing before NEWKEYS; SSH parsing of this direction stopped`);
    s.dead = true;
  }

  end(dir: Dir, ctx: FrameCtx | null): void {
    const s = this.sides[dir];
    if (!s.dead && !s.encrypted && s.buf.length > 0) ctx?.sink.anomaly('ssh', 'stream ended inside an SSH packet or banner');
    s.buf = new Uint8Array(0);
  }

  /** Consumes complete banner lines and packets; true when fields were emitted. */
  private drain(dir: Dir, s: Side, ctx: FrameCtx, info: string[]): boolean {
    let emitted = false;
    const sink = ctx.sink;
    while (!s.dead && !s.encrypted) {
      if (!s.bannerDone) {
        const lf = s.buf.indexOf(0x0a);
        if (lf < 0) {
          if (s.buf.length > MAX_BANNER) this.giveUp(s, ctx, `no identification line within ${MAX_BANNER} bytes`);
          return emitted;
        }
        const line = Buffer.from(s.buf.subarray(0, lf)).toString('latin1').replace(/\r$/, '');
        s.buf = s.buf.slice(lf + 1);
        if (!line.startsWith('SSH-')) {
          // RFC 4253 §4.2: only the server may precede its identification with other lines.
          if (dir === 0 || ++s.preLines > MAX_PRE_BANNER_LINES) {
            this.giveUp(s, ctx, 'no SSH identification line');
            return emitted;
          }
          continue;
        }
        s.bannerDone = true;
        sink.field('ssh.protocol', line);
        emitted = true;
        info.push(`Protocol (${line})`);
        const ver = /^SSH-(\d+)\.(\d+)-/.exec(line);
        const major = ver ? (ver[1] === '1' && ver[2] === '99' ? 2 : Number(ver[1])) : 0;
        if (this.version === 0 && (major === 1 || major === 2)) this.version = major;
        this.bannerRecords(dir, line, ctx);
        // SSH-1 uses another packet format (no packet/padding length pair): stop after the banner.
        if (major !== 2) s.dead = true;
        continue;
      }
      if (s.buf.length < 5) return emitted;
      const plen = ((s.buf[0]! << 24) | (s.buf[1]! << 16) | (s.buf[2]! << 8) | s.buf[3]!) >>> 0;
      if (plen < 5 || plen > MAX_PACKET) {
        this.giveUp(s, ctx, `packet length ${plen} is outside 5..${MAX_PACKET}`);
        return emitted;
      }
      if (s.buf.length < 4 + plen) return emitted;
      const pad = s.buf[4]!;
      if (pad + 1 > plen) {
        this.giveUp(s, ctx, `padding length ${pad} exceeds the packet length ${plen}`);
        return emitted;
      }
      const payload = s.buf.subarray(5, 4 + plen - pad);
      const padding = s.buf.slice(4 + plen - pad, 4 + plen);
      sink.field('ssh.packet_length', plen);
      sink.field('ssh.padding_length', pad);
      emitted = true;
      if (payload.length > 0) {
        const code = payload[0]!;
        sink.field('ssh.message_code', code);
        const kexName = this.sides[0].kex && this.sides[1].kex ? negotiatedKex(this.sides[0].kex, this.sides[1].kex) : '';
        info.push(code >= 30 && code <= 49 ? kexMessageName(kexName, code) : (MESSAGES[code] ?? `Unknown (${code})`));
        if (code === 20) this.kexInit(dir, s, payload.subarray(1), ctx);
        if (code === 21) s.encrypted = true;
      }
      sink.field('ssh.padding_string', padding);
      // ssh.seq_num is not emitted: tshark 4.0.17 shows 0, 2, 3, 3 for the first four packets
      // of a direction (RFC 4253 §6.4 numbers them 0, 1, 2, 3), a display quirk we do not copy.
      s.seq++;
      s.buf = s.buf.slice(4 + plen);
      if (s.seq >= MAX_CLEAR_PACKETS && !s.encrypted) {
        this.giveUp(s, ctx, `more than ${MAX_CLEAR_PACKETS} cleartext packets; parsing of this direction stopped`);
        return emitted;
      }
    }
    return emitted;
  }

  private kexInit(dir: Dir, s: Side, p: Uint8Array, ctx: FrameCtx): void {
    const sink = ctx.sink;
    const k = parseKexInit(p);
    if (k === null) {
      sink.anomaly('ssh', 'KEXINIT: a name-list length runs past the end of the packet');
      return;
    }
    s.kex = k;
    sink.field('ssh.cookie', k.cookie);
    KEX_LISTS.forEach((name, i) => {
      const v = k.lists[i]!;
      sink.field(`ssh.${name}_length`, v.length);
      sink.field(`ssh.${name}`, v);
    });
    sink.field('ssh.first_kex_packet_follows', k.firstKexFollows);
    sink.field('ssh.kex.reserved', k.reserved);
    const server = dir === 1;
    const h = hassh(k, server);
    sink.field(server ? 'ssh.kex.hasshserver_algorithms' : 'ssh.kex.hassh_algorithms', h.algorithms);
    sink.field(server ? 'ssh.kex.hasshserver' : 'ssh.kex.hassh', h.hash);
    sink.record({
      kind: 'app.event',
      frame: ctx.frame,
      stream: this.info.stream,
      protocol: 'ssh',
      client: this.info.client.addr,
      server: this.info.server.addr,
      event: server ? 'hasshServer' : 'hassh',
      text: h.hash,
      details: { algorithms: h.algorithms, serverHostKeyAlgorithms: k.lists[1]! },
    });
  }

  private bannerRecords(dir: Dir, line: string, ctx: FrameCtx): void {
    const addr = dir === 0 ? this.info.client.addr : this.info.server.addr;
    ctx.sink.record({
      kind: 'app.event',
      frame: ctx.frame,
      stream: this.info.stream,
      protocol: 'ssh',
      client: this.info.client.addr,
      server: this.info.server.addr,
      event: 'banner',
      text: line,
      details: { side: dir === 0 ? 'client' : 'server' },
    });
    ctx.sink.record({ kind: 'host.fact', frame: ctx.frame, addr, fact: 'software', value: line, source: `SSH ${dir === 0 ? 'client' : 'server'} identification string` });
  }

  private giveUp(s: Side, ctx: FrameCtx, why: string): void {
    ctx.sink.anomaly('ssh', why);
    s.dead = true;
    s.buf = new Uint8Array(0);
  }
}

/** RFC 4253 §7.1: the first client kex algorithm that the server also supports. */
function negotiatedKex(client: KexInit, server: KexInit): string {
  const offered = new Set((server.lists[0] ?? '').split(','));
  return (client.lists[0] ?? '').split(',').find((a) => offered.has(a)) ?? '';
}

/** a + b as a plain Uint8Array (a Buffer would leak into byte field values). */
function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
