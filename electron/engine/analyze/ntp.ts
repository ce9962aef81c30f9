/**
 * NTP over UDP 123: the packet header and who serves time.
 *
 * References: RFC 5905 §7.3 (packet header: LI(2) VN(3) Mode(3), Stratum, Poll, Precision,
 * Root Delay, Root Dispersion, Reference ID, Reference/Origin/Receive/Transmit timestamps;
 * 48 octets before extension fields and MAC), §7.3 Figure 10 (mode values), Figure 11
 * (stratum: 0 unspecified / kiss-o'-death, 1 primary, 2-15 secondary, 16 unsynchronised);
 * Reference ID: a four-character ASCII code for stratum 0/1, else an IPv4 address (or the
 * first four octets of the MD5 of an IPv6 address). RFC 1305 appendix B (mode 6 control
 * messages) and ntpd's mode 7: a different layout; only the first octet is read.
 *
 * Fields mirror Wireshark 4.0's NTP dissector (tshark 4.0.17): flags and its three parts,
 * stratum, ppoll, precision (the raw octet), root delay and dispersion (raw 32-bit values),
 * refid (4 bytes). The four timestamps are FT_ABSOLUTE_TIME, which an AppValue cannot carry;
 * they go into the record instead.
 */
import type { Dir, FrameCtx, StreamInfo, UdpParser } from './types.js';

export const NTP_PORTS: readonly number[] = [123];

/** The fixed header (RFC 5905 §7.3). */
const HEADER = 48;

const MODES: Readonly<Record<number, string>> = {
  0: 'reserved',
  1: 'symmetric active',
  2: 'symmetric passive',
  3: 'client',
  4: 'server',
  5: 'broadcast',
  6: 'NTP control message',
  7: 'reserved for private use',
};

function versionName(vn: number): string {
  return vn >= 1 && vn <= 4 ? `NTP Version ${vn}` : 'reserved';
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** NTP timestamp (seconds since 1900, 32.32 fixed point) as ISO text; '' for zero. */
export function ntpTime(b: Uint8Array, o: number): string {
  const sec = u32(b, o);
  const frac = u32(b, o + 4);
  if (sec === 0 && frac === 0) return '';
  // RFC 5905 §6: era 0 ends in 2036; timestamps below 1968 are taken as era 1.
  const unix = sec - 2208988800 + (sec < 0x80000000 ? 4294967296 : 0);
  const ms = Math.floor((frac / 4294967296) * 1000);
  return new Date(unix * 1000 + ms).toISOString();
}

/** Reference ID text: ASCII for stratum 0/1 (RFC 5905 Figure 12 codes such as GPS, PPS, kiss codes), else an address. */
export function refIdText(stratum: number, b: Uint8Array): string {
  if (stratum <= 1) {
    let s = '';
    for (const c of b) if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    return s;
  }
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** NTP analyzer for one UDP conversation. */
export class NtpParser implements UdpParser {
  constructor(private readonly info: StreamInfo) {}

  datagram(_dir: Dir, b: Uint8Array, ctx: FrameCtx): void {
    const sink = ctx.sink;
    try {
      if (b.length === 0) return;
      const flags = b[0]!;
      const li = flags >> 6;
      const vn = (flags >> 3) & 7;
      const mode = flags & 7;
      sink.columns('NTP', `${versionName(vn)}, ${MODES[mode]!}`);
      sink.field('ntp.flags', flags);
      sink.field('ntp.flags.li', li);
      sink.field('ntp.flags.vn', vn);
      sink.field('ntp.flags.mode', mode);
      if (mode === 6 || mode === 7) return; // control / private messages: another layout
      // Wireshark adds each header field while bytes remain; a short packet stops there (malformed).
      const parts: [string, number][] = [
        ['ntp.stratum', 1],
        ['ntp.ppoll', 1],
        ['ntp.precision', 1],
        ['ntp.rootdelay', 4],
        ['ntp.rootdispersion', 4],
        ['ntp.refid', 4],
      ];
      let o = 1;
      for (const [name, size] of parts) {
        if (o + size > b.length) {
          sink.anomaly('ntp', `packet of ${b.length} bytes ends inside the ${HEADER}-byte header`, o);
          return;
        }
        if (name === 'ntp.refid') sink.field(name, b.slice(o, o + 4));
        else sink.field(name, size === 1 ? b[o]! : u32(b, o));
        o += size;
      }
      if (b.length < HEADER) {
        sink.anomaly('ntp', `packet of ${b.length} bytes ends inside the ${HEADER}-byte header`, o);
        return;
      }
      const stratum = b[1]!;
      // Servers answer (mode 4) or broadcast (mode 5): worth an event; client polls are not.
      if (mode === 4 || mode === 5) {
        sink.record({
          kind: 'app.event',
          frame: ctx.frame,
          stream: this.info.stream,
          protocol: 'ntp',
          client: this.info.client.addr,
          server: this.info.server.addr,
          event: mode === 4 ? 'server' : 'broadcast',
          text: `${versionName(vn)} ${MODES[mode]!}, stratum ${stratum}, reference ${refIdText(stratum, b.subarray(12, 16))}`,
          details: {
            version: String(vn),
            mode: String(mode),
            stratum: String(stratum),
            refid: refIdText(stratum, b.subarray(12, 16)),
            reftime: ntpTime(b, 16),
            xmt: ntpTime(b, 40),
          },
        });
      }
    } catch (e) {
      sink.anomaly('ntp', `dissector error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
