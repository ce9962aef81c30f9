import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NtpParser, ntpTime, refIdText } from './ntp.js';
import type { AppEventRecord, AppRecord, AppSink, AppValue, StreamInfo } from './types.js';

const INFO: StreamInfo = { stream: 0, client: { addr: '10.0.0.5', port: 123 }, server: { addr: '17.253.12.253', port: 123 } };

function feed(b: Uint8Array): { fields: [string, AppValue][]; cols: [string, string][]; anomalies: string[]; records: AppRecord[] } {
  const out = { fields: [] as [string, AppValue][], cols: [] as [string, string][], anomalies: [] as string[], records: [] as AppRecord[] };
  const sink: AppSink = { field: (n, v) => out.fields.push([n, v]), columns: (p, i) => out.cols.push([p, i]), anomaly: (l, d) => out.anomalies.push(`${l}: ${d}`), record: (r) => out.records.push(r) };
  new NtpParser(INFO).datagram(1, b, { frame: 1, tsSec: 0, tsNsec: 0, sink });
  return out;
}

// A server reply (RFC 5905 §7.3): 0x24 = LI 0, VN 4, mode 4; stratum 1; poll 6; precision -20
// (0xec); root delay 0; root dispersion 71; refid "GPSs"; reftime / org / rec / xmt.
const SERVER = new Uint8Array(Buffer.from('240106ec0000000000000047475053 73d97b647791fdbdc8d97b647e296af531d97b647e48bec57cd97b647e48bfafd4'.replace(/ /g, ''), 'hex'));

describe('NtpParser', () => {
  it('a server reply: header fields, Info, and a server event', () => {
    const r = feed(SERVER);
    expect(r.cols).toEqual([['NTP', 'NTP Version 4, server']]);
    expect(r.fields).toEqual([
      ['ntp.flags', 0x24],
      ['ntp.flags.li', 0],
      ['ntp.flags.vn', 4],
      ['ntp.flags.mode', 4],
      ['ntp.stratum', 1],
      ['ntp.ppoll', 6],
      ['ntp.precision', 0xec],
      ['ntp.rootdelay', 0],
      ['ntp.rootdispersion', 71],
      ['ntp.refid', new Uint8Array([0x47, 0x50, 0x53, 0x73])],
    ]);
    const ev = r.records[0] as AppEventRecord;
    expect(ev).toMatchObject({ protocol: 'ntp', event: 'server', details: { stratum: '1', refid: 'GPSs', xmt: '2015-08-16T19:35:26.284Z' } });
  });

  it('a truncated packet stops where the bytes end, with an anomaly (as tshark marks it malformed)', () => {
    const r = feed(new Uint8Array(10));
    expect(r.cols).toEqual([['NTP', 'reserved, reserved']]);
    expect(r.fields.map(([n]) => n)).toEqual(['ntp.flags', 'ntp.flags.li', 'ntp.flags.vn', 'ntp.flags.mode', 'ntp.stratum', 'ntp.ppoll', 'ntp.precision', 'ntp.rootdelay']);
    expect(r.anomalies.length).toBe(1);
  });

  it('reference ids and timestamps', () => {
    expect(refIdText(2, new Uint8Array([17, 253, 12, 253]))).toBe('17.253.12.253');
    expect(refIdText(0, new TextEncoder().encode('RATE'))).toBe('RATE');
    expect(ntpTime(new Uint8Array(8), 0)).toBe('');
  });

  it('random bytes never throw (fast-check)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        expect(feed(b).anomalies.filter((a) => a.includes('dissector error'))).toEqual([]);
      }));
  });
});
