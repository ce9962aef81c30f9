import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PACKET, SshParser, hassh, parseKexInit } from './ssh.js';
import type { AppEventRecord, AppRecord, AppSink, AppValue, Dir, HostFactRecord, StreamInfo } from './types.js';

const INFO: StreamInfo = { stream: 1, client: { addr: '10.0.0.5', port: 50000 }, server: { addr: '10.0.0.1', port: 22 } };
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function nameList(s: string): number[] {
  const b = enc(s);
  return [b.length >>> 24, (b.length >>> 16) & 255, (b.length >>> 8) & 255, b.length & 255, ...b];
}

/** An RFC 4253 §6 binary packet: uint32 length, byte padding length, payload, padding (no MAC before NEWKEYS). */
function packet(payload: number[], pad = 4): Uint8Array {
  const len = 1 + payload.length + pad;
  return new Uint8Array([len >>> 24, (len >>> 16) & 255, (len >>> 8) & 255, len & 255, pad, ...payload, ...new Array<number>(pad).fill(0)]);
}

const LISTS = ['curve25519-sha256,diffie-hellman-group14-sha1', 'ssh-ed25519', 'aes128-ctr', 'aes256-ctr', 'hmac-sha2-256', 'hmac-sha1', 'none', 'none,zlib', '', ''];
/** KEXINIT (RFC 4253 §7.1): 20, cookie[16], ten name-lists, first_kex_packet_follows, reserved. */
const KEXINIT = [20, ...new Array<number>(16).fill(0xab), ...LISTS.flatMap(nameList), 0, 0, 0, 0, 0];

class Sink implements AppSink {
  fields: [string, AppValue][] = [];
  cols: [string, string][] = [];
  anomalies: string[] = [];
  records: AppRecord[] = [];
  field(n: string, v: AppValue): void {
    this.fields.push([n, v]);
  }
  columns(p: string, i: string): void {
    this.cols.push([p, i]);
  }
  anomaly(l: string, d: string): void {
    this.anomalies.push(`${l}: ${d}`);
  }
  record(r: AppRecord): void {
    this.records.push(r);
  }
}

function run(steps: [Dir, Uint8Array][], chunk?: number): { frames: Sink[]; all: Sink } {
  const p = new SshParser(INFO);
  const frames: Sink[] = [];
  const all = new Sink();
  let no = 0;
  for (const [dir, bytes] of steps) {
    for (let i = 0; i < bytes.length; i += chunk ?? bytes.length) {
      const s = new Sink();
      frames.push(s);
      const tee: AppSink = {
        field: (n, v) => (s.field(n, v), all.field(n, v)),
        columns: (a, b) => (s.columns(a, b), all.columns(a, b)),
        anomaly: (a, b) => (s.anomaly(a, b), all.anomaly(a, b)),
        record: (r) => (s.record(r), all.record(r)),
      };
      p.data(dir, bytes.subarray(i, i + (chunk ?? bytes.length)), { frame: ++no, tsSec: 0, tsNsec: 0, sink: tee });
    }
  }
  return { frames, all };
}

const CONV: [Dir, Uint8Array][] = [
  [0, enc('SSH-2.0-OpenSSH_6.2\r\n')],
  [1, enc('SSH-2.0-OpenSSH_6.7p1 Debian-3\r\n')],
  [0, packet(KEXINIT)],
  [1, packet(KEXINIT)],
  [0, packet([30, 1, 2, 3])],
  [1, new Uint8Array([...packet([31, 9]), ...packet([21])])],
  [0, packet([21])],
  [0, new Uint8Array(56).fill(0x5a)],
];

describe('SshParser', () => {
  it('banners: ssh.protocol, direction, columns, software facts', () => {
    const { frames } = run(CONV);
    expect(frames[0]!.fields).toEqual([
      ['ssh.protocol', 'SSH-2.0-OpenSSH_6.2'],
      ['ssh.direction', 0],
    ]);
    expect(frames[0]!.cols).toEqual([['SSH', 'Client: Protocol (SSH-2.0-OpenSSH_6.2)']]);
    expect(frames[1]!.cols).toEqual([['SSHv2', 'Server: Protocol (SSH-2.0-OpenSSH_6.7p1 Debian-3)']]);
    const fact = frames[1]!.records.find((r): r is HostFactRecord => r.kind === 'host.fact');
    expect(fact).toMatchObject({ addr: '10.0.0.1', fact: 'software', value: 'SSH-2.0-OpenSSH_6.7p1 Debian-3' });
  });

  it('KEXINIT: algorithm lists, HASSH (client) and HASSHServer (server) per the Salesforce definition', () => {
    const { frames } = run(CONV);
    const c = new Map(frames[2]!.fields);
    expect(c.get('ssh.kex_algorithms')).toBe(LISTS[0]);
    expect(c.get('ssh.kex_algorithms_length')).toBe(LISTS[0]!.length);
    const algs = `${LISTS[0]};${LISTS[2]};${LISTS[4]};${LISTS[6]}`;
    expect(c.get('ssh.kex.hassh_algorithms')).toBe(algs);
    expect(c.get('ssh.kex.hassh')).toBe(createHash('md5').update(algs).digest('hex'));
    const s = new Map(frames[3]!.fields);
    expect(s.get('ssh.kex.hasshserver_algorithms')).toBe(`${LISTS[0]};${LISTS[3]};${LISTS[5]};${LISTS[7]}`);
    expect(frames[2]!.cols).toEqual([['SSHv2', 'Client: Key Exchange Init']]);
    const ev = frames[3]!.records.find((r): r is AppEventRecord => r.kind === 'app.event')!;
    expect(ev).toMatchObject({ event: 'hasshServer', protocol: 'ssh' });
  });

  it('names kex messages by the negotiated method; NEWKEYS turns the direction encrypted', () => {
    const { frames } = run(CONV);
    expect(frames[4]!.cols).toEqual([['SSHv2', 'Client: Elliptic Curve Diffie-Hellman Key Exchange Init']]);
    expect(frames[5]!.cols).toEqual([['SSHv2', 'Server: Elliptic Curve Diffie-Hellman Key Exchange Reply, New Keys']]);
    expect(frames[7]!.cols).toEqual([['SSHv2', 'Client: Encrypted packet (len=56)']]);
    expect(frames[7]!.fields).toEqual([['ssh.direction', 0]]);
  });

  it('gives the same fields whatever the segmentation (fast-check)', () => {
    const whole = run(CONV).all.fields;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), (n) => {
        // The encrypted tail is framed per segment (as Wireshark does); compare the cleartext part.
        // ssh.direction is one per frame, so it is left out of the comparison.
        const noDir = (f: [string, AppValue][]): [string, AppValue][] => f.filter(([name]) => name !== 'ssh.direction');
        expect(noDir(run(CONV.slice(0, 7), n).all.fields)).toEqual(noDir(run(CONV.slice(0, 7)).all.fields));
        expect(whole.length).toBeGreaterThan(0);
      }),
    );
  });

  it('gives up on lying lengths and non-SSH data with an anomaly', () => {
    const big = MAX_PACKET + 1;
    const r = run([
      [0, enc('SSH-2.0-x\r\n')],
      [0, new Uint8Array([big >>> 24, (big >>> 16) & 255, (big >>> 8) & 255, big & 255, 4])],
    ]);
    expect(r.all.anomalies.some((a) => a.includes('packet length'))).toBe(true);
    expect(run([[0, enc('GET / HTTP/1.1\r\n')]]).all.anomalies).toEqual(['ssh: no SSH identification line']);
    expect(parseKexInit(new Uint8Array([1, 2, 3]))).toBeNull();
  });

  it('hassh() over a parsed KEXINIT', () => {
    const k = parseKexInit(new Uint8Array(KEXINIT.slice(1)))!;
    expect(hassh(k, false).algorithms.split(';')).toEqual([LISTS[0], LISTS[2], LISTS[4], LISTS[6]]);
  });

  it('random and mutated bytes never throw (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom<Dir>(0, 1), fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.constant(enc('SSH-2.0-a\r\n')), fc.constant(packet(KEXINIT)))), { maxLength: 12 }), (steps) => {
        expect(run(steps).all.anomalies.filter((a) => a.includes('dissector error'))).toEqual([]);
      }),
    );
  });
});
