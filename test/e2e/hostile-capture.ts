/**
 * A small capture whose captured strings are markup and script: HTTP request targets, Host,
 * User-Agent, Referer and Location headers, an HTML body, DNS names, a TLS SNI and SMB/NTLM
 * user, workstation and share names. Built with the project's own writer and frame builders.
 * Every payload would set `window.__pwned` (or open a dialog) if any view rendered it as HTML.
 */
import { writeFileSync } from 'node:fs';
import { PcapWriter } from '../../electron/engine/capture/writer.js';
import { tcpFrame, udpFrame, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN } from '../../electron/engine/synth/packet.js';
import {
  dnsQuery,
  dnsResponse,
  httpRequest,
  httpResponse,
  Rng,
  smbSession,
  tlsClientHello,
  type TcpMessage,
} from '../../electron/engine/synth/traffic.js';

export const PAYLOAD = {
  img: '<img src=x onerror="window.__pwned=1">',
  script: '<script>window.__pwned=1</script>',
  js: 'javascript:window.__pwned=1',
  svg: '"><svg onload="window.__pwned=1">',
  alert: '<img src=x onerror=alert(document.domain)>',
} as const;

/** The HTTP request targets (no spaces: a space ends the request-target, RFC 9112 §3). */
export const URI = {
  script: `/${PAYLOAD.script}`,
  svg: '/"><svg/onload=window.__pwned=1>',
  js: `/login?next=${PAYLOAD.js}`,
} as const;

/** DNS names: labels are split at the dots, and joined again when shown. */
export const DNS_NAME = {
  img: `${PAYLOAD.img}.evil.test`,
  script: `${PAYLOAD.script}.evil.test`,
} as const;

export const SNI = PAYLOAD.svg;

export const SMB = {
  user: PAYLOAD.script,
  workstation: PAYLOAD.svg,
  share: `\\\\FS01\\${PAYLOAD.img}`,
} as const;

export const HOSTS = { client: '10.66.0.10', web: '10.66.0.80', dns: '10.66.0.53', tls: '10.66.0.99', smb: '10.66.0.20' } as const;

const T0 = 1_700_000_000;
/** One MSS: larger messages are sent as several segments, as a real stack would. */
const MSS = 1460;

interface Clock {
  sec: number;
  usec: number;
}

function tick(c: Clock): [number, number] {
  c.usec += 1500;
  if (c.usec >= 1_000_000) {
    c.sec += 1;
    c.usec -= 1_000_000;
  }
  return [c.sec, c.usec * 1000];
}

/** Handshake, the messages (each direction's bytes acknowledged), FIN exchange. */
function tcpConversation(
  w: PcapWriter,
  clock: Clock,
  client: string,
  sport: number,
  server: string,
  dport: number,
  msgs: readonly TcpMessage[],
): void {
  const c = { srcIp: client, dstIp: server, sport, dport };
  const s = { srcIp: server, dstIp: client, sport: dport, dport: sport };
  let cs = 100_000;
  let ss = 900_000;
  const put = (f: Uint8Array) => {
    const [sec, nsec] = tick(clock);
    w.packet(sec, nsec, f);
  };
  put(tcpFrame({ ...c, seq: cs, ack: 0, flags: TCP_SYN }));
  put(tcpFrame({ ...s, seq: ss, ack: cs + 1, flags: TCP_SYN | TCP_ACK }));
  cs += 1;
  ss += 1;
  put(tcpFrame({ ...c, seq: cs, ack: ss, flags: TCP_ACK }));
  for (const m of msgs) {
    for (let off = 0; off < m.data.length; off += MSS) {
      const payload = m.data.subarray(off, Math.min(m.data.length, off + MSS));
      if (m.fromClient) {
        put(tcpFrame({ ...c, seq: cs, ack: ss, flags: TCP_ACK | TCP_PSH, payload }));
        cs += payload.length;
      } else {
        put(tcpFrame({ ...s, seq: ss, ack: cs, flags: TCP_ACK | TCP_PSH, payload }));
        ss += payload.length;
      }
    }
  }
  put(tcpFrame({ ...c, seq: cs, ack: ss, flags: TCP_ACK | TCP_FIN }));
  put(tcpFrame({ ...s, seq: ss, ack: cs + 1, flags: TCP_ACK | TCP_FIN }));
  put(tcpFrame({ ...c, seq: cs + 1, ack: ss + 1, flags: TCP_ACK }));
}

/** Writes the hostile capture to `path` (classic pcap, Ethernet). */
export function writeHostileCapture(path: string): void {
  const w = new PcapWriter();
  const clock: Clock = { sec: T0, usec: 0 };
  const rng = new Rng(7);
  const udp = (src: string, dst: string, sport: number, dport: number, payload: Uint8Array) => {
    const [sec, nsec] = tick(clock);
    w.packet(sec, nsec, udpFrame({ srcIp: src, dstIp: dst, sport, dport, payload }));
  };

  // DNS first: the answers name the web and TLS servers, so the names reach hosts and graph.
  udp(HOSTS.client, HOSTS.dns, 53001, 53, dnsQuery(0x1234, DNS_NAME.img));
  udp(HOSTS.dns, HOSTS.client, 53, 53001, dnsResponse(0x1234, DNS_NAME.img, [HOSTS.web]));
  udp(HOSTS.client, HOSTS.dns, 53002, 53, dnsQuery(0x2345, DNS_NAME.script));
  udp(HOSTS.dns, HOSTS.client, 53, 53002, dnsResponse(0x2345, DNS_NAME.script, [HOSTS.tls]));

  tcpConversation(w, clock, HOSTS.client, 40001, HOSTS.web, 80, [
    {
      fromClient: true,
      data: httpRequest('GET', URI.script, PAYLOAD.img, [
        ['User-Agent', PAYLOAD.svg],
        ['Referer', PAYLOAD.js],
        ['Accept', '*/*'],
      ]),
    },
    {
      fromClient: false,
      data: httpResponse(
        200,
        'OK',
        [
          ['Server', PAYLOAD.script],
          ['Content-Type', 'text/html'],
        ],
        `<html><body>${PAYLOAD.script}${PAYLOAD.img}${PAYLOAD.alert}</body></html>`,
      ),
    },
    { fromClient: true, data: httpRequest('GET', URI.svg, PAYLOAD.js, [['User-Agent', PAYLOAD.alert]]) },
    {
      fromClient: false,
      data: httpResponse(
        302,
        'Found',
        [
          ['Location', PAYLOAD.js],
          ['Content-Type', 'text/html'],
        ],
        PAYLOAD.svg,
      ),
    },
  ]);
  tcpConversation(w, clock, HOSTS.client, 40002, HOSTS.web, 80, [
    {
      fromClient: true,
      data: httpRequest('POST', URI.js, PAYLOAD.svg, [['Content-Type', 'application/x-www-form-urlencoded']], `user=${PAYLOAD.alert}`),
    },
    {
      fromClient: false,
      data: httpResponse(
        200,
        'OK',
        [['Content-Type', 'image/svg+xml']],
        `<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=1"><script>window.__pwned=1</script></svg>`,
      ),
    },
  ]);
  tcpConversation(w, clock, HOSTS.client, 40003, HOSTS.tls, 443, [{ fromClient: true, data: tlsClientHello(SNI, rng) }]);
  tcpConversation(
    w,
    clock,
    HOSTS.client,
    40004,
    HOSTS.smb,
    445,
    smbSession({
      domain: 'CORP',
      dnsDomain: 'corp.test',
      server: 'FS01',
      user: SMB.user,
      workstation: SMB.workstation,
      share: SMB.share,
      logon: 'success',
      reads: [64],
      sessionId: 0x0000_1000_0000_0001n,
      unixSec: T0,
      rng,
    }),
  );
  writeFileSync(path, w.toBuffer());
}
