/** Small captures built with the project's own writer and frame builders. */
import { writeFileSync } from 'node:fs';
import { PcapWriter, PcapngWriter } from '../../electron/engine/capture/writer.js';
import { tcpFrame, udpFrame, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN } from '../../electron/engine/synth/packet.js';

export const T0 = 1_700_000_000;

/** A TCP handshake + request + response + teardown, and two DNS-like UDP exchanges. */
export function smallSession(): { frames: Uint8Array[]; times: [number, number][] } {
  const c = { srcIp: '10.0.0.5', dstIp: '192.0.2.80', sport: 51000, dport: 80 };
  const s = { srcIp: '192.0.2.80', dstIp: '10.0.0.5', sport: 80, dport: 51000 };
  const req = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: example.test\r\n\r\n');
  const resp = new TextEncoder().encode('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi');
  const frames = [
    tcpFrame({ ...c, seq: 1000, ack: 0, flags: TCP_SYN }),
    tcpFrame({ ...s, seq: 5000, ack: 1001, flags: TCP_SYN | TCP_ACK }),
    tcpFrame({ ...c, seq: 1001, ack: 5001, flags: TCP_ACK }),
    tcpFrame({ ...c, seq: 1001, ack: 5001, flags: TCP_ACK | TCP_PSH, payload: req }),
    tcpFrame({ ...s, seq: 5001, ack: 1001 + req.length, flags: TCP_ACK | TCP_PSH, payload: resp }),
    tcpFrame({ ...c, seq: 1001 + req.length, ack: 5001 + resp.length, flags: TCP_ACK | TCP_FIN }),
    udpFrame({ srcIp: '10.0.0.5', dstIp: '10.0.0.53', sport: 53000, dport: 53, payload: new Uint8Array(30) }),
    udpFrame({ srcIp: '10.0.0.53', dstIp: '10.0.0.5', sport: 53, dport: 53000, payload: new Uint8Array(46) }),
    udpFrame({ srcIp: '10.0.0.6', dstIp: '10.0.0.53', sport: 53001, dport: 53, payload: new Uint8Array(30) }),
  ];
  const times = frames.map((_, i): [number, number] => [T0 + Math.floor(i / 4), (i * 123_457) % 1_000_000 * 1000]);
  return { frames, times };
}

export function writeSmallPcap(path: string, opts: { nsec?: boolean; bigEndian?: boolean } = {}): Buffer {
  const { frames, times } = smallSession();
  const w = new PcapWriter({ nsec: opts.nsec ?? false, bigEndian: opts.bigEndian ?? false });
  frames.forEach((f, i) => w.packet(times[i]![0], times[i]![1], f));
  const buf = w.toBuffer();
  writeFileSync(path, buf);
  return buf;
}

export function writeSmallPcapng(path: string): Buffer {
  const { frames, times } = smallSession();
  const w = new PcapngWriter();
  w.section();
  const ifc = w.addInterface({ linktype: 1, snaplen: 262144, name: 'eth0', tsResolution: 1e9 });
  frames.forEach((f, i) => w.packet(ifc, times[i]![0], times[i]![1], f, i === 3 ? { comments: ['the request'] } : {}));
  const buf = w.toBuffer();
  writeFileSync(path, buf);
  return buf;
}
