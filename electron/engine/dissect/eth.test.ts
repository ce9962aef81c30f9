/**
 * Ethernet II, 802.3/LLC, VLAN tags and ARP, named by input. Expected columns are what
 * tshark 4.0 prints for the same bytes.
 */
import { describe, expect, it } from 'vitest';
import { arp, ether, ipv4, udp, udpFrame } from '../synth/packet.js';
import { dissectFrame, DissectState, LINKTYPE } from './frame.js';
import { MAX_VLAN_TAGS } from './vlan.js';
import { newSummary, type FrameSummary } from './types.js';

function dis(data: Uint8Array, origLen?: number): FrameSummary {
  const s = newSummary();
  dissectFrame(data, LINKTYPE.ETHERNET, s, null, new DissectState(), 1, origLen);
  return s;
}

function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  return new Uint8Array(clean.match(/../g)!.map((b) => parseInt(b, 16)));
}

const M1 = 'aa:bb:cc:dd:ee:01';
const M2 = 'aa:bb:cc:dd:ee:02';
const A = '10.0.0.1';
const B = '10.0.0.2';
const udpPayload = udpFrame({ srcIp: A, dstIp: B, sport: 1, dport: 2 }).subarray(14);

describe('Ethernet II', () => {
  it('ARP request (byte literal)', () => {
    // 0000  ff ff ff ff ff ff aa bb cc dd ee 01 08 06 00 01   dst, src, type ARP, htype 1
    // 0010  08 00 06 04 00 01 aa bb cc dd ee 01 0a 00 00 02   ptype IPv4, 6/4, request, sha, spa
    // 0020  00 00 00 00 00 00 0a 00 00 01                     tha, tpa
    const f = hex('ffffffffffff aabbccddee01 0806 0001 0800 06 04 0001 aabbccddee01 0a000002 000000000000 0a000001');
    const s = dis(f);
    expect([s.protocol, s.info, s.layers]).toEqual(['ARP', 'Who has 10.0.0.1? Tell 10.0.0.2', 'eth:ethertype:arp']);
    expect(s.ethSrc).toBe(0xaabbccddee01);
    expect(s.ethDst).toBe(0xffffffffffff);
    expect(s.l3).toBe(0);
  });
  it('unknown ethertype 0x1234: "0x1234" / "Ethernet II"', () => {
    const s = dis(ether({ src: M1, dst: M2, type: 0x1234 }, new Uint8Array(46)));
    expect([s.protocol, s.info]).toEqual(['0x1234', 'Ethernet II']);
    expect(s.anomalies).toEqual([]);
  });
  it('a named but undissected ethertype (LLDP) is named, not an anomaly', () => {
    const s = dis(ether({ src: M1, dst: M2, type: 0x88cc }, new Uint8Array(46)));
    expect(s.protocol).toBe('LLDP');
    expect(s.anomalies).toEqual([]);
  });
  it('invalid length/type 1501', () => {
    const s = dis(ether({ src: M1, dst: M2, type: 1501 }, new Uint8Array(10)));
    expect([s.protocol, s.info]).toEqual(['Ethernet', 'Ethernet Unknown: Invalid length/type: 0x05dd (1501)']);
    expect(s.anomalies[0]).toMatchObject({ kind: 'malformed', layer: 'eth', offset: 12 });
  });
  it('frames shorter than 14 bytes are malformed at eth (tshark: "Ethernet" / "[Malformed Packet]")', () => {
    const s = dis(new Uint8Array(13));
    expect([s.protocol, s.info]).toEqual(['Ethernet', '[Malformed Packet]']);
    expect(s.ethSrc).toBe(-1);
  });
});

describe('IEEE 802.3 + LLC', () => {
  it('STP BPDU (DSAP 0x42) is named', () => {
    const s = dis(ether({ src: M1, dst: '01:80:c2:00:00:00', type: 38 }, new Uint8Array([0x42, 0x42, 3, ...new Array<number>(35).fill(0)])));
    expect(s.layers).toBe('eth:llc');
    expect(s.protocol).toBe('STP');
  });
  it('SNAP with OUI 0 carries an ethertype: eth:llc:ip (no "ethertype" after LLC)', () => {
    const ip = ipv4({ src: A, dst: B, proto: 17 }, udp({ sport: 1, dport: 2 }, new Uint8Array(4), { src: A, dst: B }));
    const s = dis(ether({ src: M1, dst: M2, type: 8 + ip.length }, new Uint8Array([0xaa, 0xaa, 3, 0, 0, 0, 8, 0, ...ip])));
    expect(s.layers).toBe('eth:llc:ip:udp');
    expect(s.info).toBe('1 → 2 Len=4');
  });
  it('a length field past the end of the frame is flagged but the LLC is still named', () => {
    const s = dis(ether({ src: M1, dst: M2, type: 1000 }, new Uint8Array([0x42, 0x43, 3, 1, 2])));
    expect(s.anomalies[0]?.detail).toBe('Length field value goes past the end of the payload');
    expect(s.protocol).toBe('STP');
  });
  it('LLC U-frame summary like Wireshark', () => {
    const s = dis(ether({ src: M1, dst: M2, type: 3 }, new Uint8Array([0x06, 0x07, 0x03])));
    expect(s.info).toBe('U, func=UI; DSAP TCP/IP Individual, SSAP TCP/IP Response');
  });
});

describe('802.1Q VLAN and QinQ', () => {
  it('one 802.1Q tag', () => {
    const s = dis(ether({ src: M1, dst: M2, type: 0x0800, vlan: [{ id: 7, pcp: 5 }] }, udpPayload));
    expect(s.layers).toBe('eth:ethertype:vlan:ethertype:ip:udp');
    expect(s.vlanId).toBe(7);
    expect(s.info).toBe('1 → 2 Len=0');
  });
  it('QinQ: 0x88a8 outside, 0x8100 inside; the summary keeps the outer id', () => {
    const s = dis(ether({ src: M1, dst: M2, type: 0x0800, vlan: [100, 200], qinq: true }, udpPayload));
    expect(s.layers).toBe('eth:ethertype:ieee8021ad:ethertype:vlan:ethertype:ip:udp');
    expect(s.vlanId).toBe(100);
  });
  it('pre-standard QinQ TPID 0x9100', () => {
    const s = dis(ether({ src: M1, dst: M2, type: 0x0800, vlan: [{ id: 5, tpid: 0x9100 }, 6] }, udpPayload));
    expect(s.layers).toBe('eth:ethertype:vlan:ethertype:vlan:ethertype:ip:udp');
    expect(s.vlanId).toBe(5);
  });
  it(`a tag loop is cut after ${MAX_VLAN_TAGS} tags`, () => {
    const tags = Array.from({ length: 100 }, (_, i) => i + 1);
    const s = dis(ether({ src: M1, dst: M2, type: 0x0800, vlan: tags }, udpPayload));
    expect(s.anomalies).toHaveLength(1);
    expect(s.anomalies[0]).toMatchObject({ kind: 'malformed', layer: 'vlan' });
    expect(s.layers.split(':vlan').length - 1).toBe(MAX_VLAN_TAGS + 1);
    expect(s.vlanId).toBe(1);
    expect(s.l3).toBe(0);
  });
  it('exactly MAX_VLAN_TAGS tags still reach IP', () => {
    const tags = Array.from({ length: MAX_VLAN_TAGS }, (_, i) => i + 1);
    expect(dis(ether({ src: M1, dst: M2, type: 0x0800, vlan: tags }, udpPayload)).l3).toBe(4);
  });
  it('a tag cut after its TCI shows "PRI/DEI/ID" like tshark', () => {
    const f = ether({ src: M1, dst: M2, type: 0x0800, vlan: [7] }, udpPayload).subarray(0, 17);
    const s = dis(f, 60);
    expect([s.protocol, s.info]).toEqual(['VLAN', 'PRI: 0  DEI: 0  ID: 7[Packet size limited during capture]']);
    expect(s.vlanId).toBe(7);
  });
});

describe('ARP', () => {
  const E = (dst: string, a: Uint8Array): Uint8Array => ether({ src: M1, dst, type: 0x0806 }, a);
  it.each([
    [{ op: 1, senderMac: M1, senderIp: B, targetMac: '00:00:00:00:00:00', targetIp: A }, 'ARP', 'Who has 10.0.0.1? Tell 10.0.0.2'],
    [{ op: 2, senderMac: M2, senderIp: A, targetMac: M1, targetIp: B }, 'ARP', '10.0.0.1 is at aa:bb:cc:dd:ee:02'],
    [{ op: 1, senderMac: M1, senderIp: B, targetMac: '00:00:00:00:00:00', targetIp: B }, 'ARP', 'ARP Announcement for 10.0.0.2'],
    [{ op: 1, senderMac: M1, senderIp: '0.0.0.0', targetMac: '00:00:00:00:00:00', targetIp: B }, 'ARP', 'Who has 10.0.0.2? (ARP Probe)'],
    [{ op: 2, senderMac: M1, senderIp: B, targetMac: 'ff:ff:ff:ff:ff:ff', targetIp: B }, 'ARP', 'Gratuitous ARP for 10.0.0.2 (Reply)'],
    [{ op: 3, senderMac: M1, senderIp: B, targetMac: M2, targetIp: A }, 'RARP', 'Who is aa:bb:cc:dd:ee:02? Tell aa:bb:cc:dd:ee:01'],
    [{ op: 9, senderMac: M1, senderIp: B, targetMac: M2, targetIp: A }, 'Inverse ARP', 'aa:bb:cc:dd:ee:01 is at 10.0.0.2'],
    [{ op: 77, senderMac: M1, senderIp: B, targetMac: M2, targetIp: A }, 'ARP', 'Unknown ARP opcode 0x004d'],
  ])('%o', (o, proto, info) => {
    const s = dis(E('ff:ff:ff:ff:ff:ff', arp(o)));
    expect([s.protocol, s.info]).toEqual([proto, info]);
    expect(s.anomalies).toEqual([]);
  });
  it('ARP cut in the middle of the addresses is truncated at arp', () => {
    const f = E(M2, arp({ op: 1, senderMac: M1, senderIp: B, targetMac: '00:00:00:00:00:00', targetIp: A }));
    const s = dis(f.subarray(0, 30), f.length);
    expect(s.anomalies[0]).toMatchObject({ kind: 'truncated', layer: 'arp', offset: 14 });
    expect(s.info).toBe('[Packet size limited during capture]');
  });
});
