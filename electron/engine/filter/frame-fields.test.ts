/**
 * frameFields on synthetic frames (synth/packet.ts → dissectTree), one block per input:
 * every registry type in its one representation, either-side and host fields, frame.*
 * from the record, protocol extents, occurrences inside ICMP quotes, tunnels and
 * reassembled datagrams.
 */
import { describe, expect, it } from 'vitest';
import type { TreeNode } from '../../../shared/model.js';
import { dissectFrame, dissectTree, DissectState, LINKTYPE } from '../dissect/frame.js';
import { newSummary } from '../dissect/types.js';
import * as P from '../synth/packet.js';
import {
  frameFields,
  ip6Text,
  ipv6Bytes,
  parseSeconds,
  timeDiff,
  type FieldScalar,
  type FrameExtra,
  type FrameFields,
  type ProtocolValue,
} from './frame-fields.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');

function fieldsOf(data: Uint8Array, extra: Partial<FrameExtra> = {}, state = new DissectState(), frameNo = 1): FrameFields {
  const tree = dissectTree(data, LINKTYPE.ETHERNET, state, frameNo, { origlen: data.length, tsSec: 1_700_000_000, tsNsec: 5 });
  return frameFields(tree, data, { frameNumber: frameNo, tsSec: 1_700_000_000, tsNsec: 5, ...extra });
}

const one = (f: FrameFields, name: string): FieldScalar => {
  const l = f.get(name);
  expect(l, name).toBeDefined();
  expect(l!.length, name).toBe(1);
  return l![0]!;
};
const proto = (f: FrameFields, name: string, i = 0): ProtocolValue => f.get(name)![i] as ProtocolValue;

describe('frameFields', () => {
  describe('an Ethernet/IPv4/TCP frame with a payload', () => {
    const data = P.tcpFrame({
      srcIp: '10.0.0.1',
      dstIp: '192.168.1.20',
      sport: 51000,
      dport: 80,
      seq: 1,
      ack: 2,
      flags: P.TCP_SYN | P.TCP_ACK,
      payload: text('hello'),
      srcMac: '00:11:22:33:44:55',
      dstMac: '66:77:88:99:aa:bb',
    });
    const f = fieldsOf(data);

    it('gives integers, booleans and strings one representation each', () => {
      expect(one(f, 'tcp.srcport')).toBe(51000);
      expect(one(f, 'ip.ttl')).toBe(64);
      expect(one(f, 'tcp.flags.syn')).toBe(1);
      expect(one(f, 'tcp.flags.fin')).toBe(0);
      expect(one(f, 'ip.flags.df')).toBe(1);
      expect(one(f, 'frame.protocols')).toBe('eth:ethertype:ip:tcp');
      expect(one(f, 'tcp.flags.str')).toBe('·······A··S·');
    });

    it('gives addresses as numbers (IPv4) and bytes (MAC)', () => {
      expect(one(f, 'ip.src')).toBe(0x0a000001);
      expect(one(f, 'ip.dst')).toBe(0xc0a80114);
      expect(hex(one(f, 'eth.src') as Uint8Array)).toBe('001122334455');
      expect(hex(one(f, 'eth.dst') as Uint8Array)).toBe('66778899aabb');
    });

    it('joins either-side fields from their parts and derives host names', () => {
      expect(f.get('ip.addr')).toEqual([0x0a000001, 0xc0a80114]);
      expect(f.get('tcp.port')).toEqual([51000, 80]);
      expect(f.get('eth.addr')!.map((b) => hex(b as Uint8Array))).toEqual(['001122334455', '66778899aabb']);
      expect(f.get('ip.src_host')).toEqual(['10.0.0.1']);
      expect(f.get('ip.host')).toEqual(['10.0.0.1', '192.168.1.20']);
      expect(f.has('udp.port')).toBe(false);
    });

    it('gives bytes fields their bytes', () => {
      expect(one(f, 'tcp.payload')).toEqual(text('hello'));
    });

    it("gives each protocol its item bytes and its tvbuff, as Wireshark's FT_PROTOCOL holds them", () => {
      expect(proto(f, 'frame').bytes).toEqual(data);
      expect(proto(f, 'eth').bytes).toEqual(data.subarray(0, 14));
      expect(proto(f, 'eth').tvb).toEqual(data);
      expect(proto(f, 'ip').bytes).toEqual(data.subarray(14, 34));
      expect(proto(f, 'ip').tvb).toEqual(data.subarray(14));
      // TCP is added "to the end": header and payload.
      expect(proto(f, 'tcp').bytes).toEqual(data.subarray(34));
    });

    it('adds frame.* from the record', () => {
      expect(one(f, 'frame.number')).toBe(1);
      expect(one(f, 'frame.len')).toBe(data.length);
      expect(one(f, 'frame.cap_len')).toBe(data.length);
      expect(one(f, 'frame.time')).toEqual({ sec: 1_700_000_000, nsec: 5 });
      expect(one(f, 'frame.time_epoch')).toEqual({ sec: 1_700_000_000, nsec: 5 });
      expect(one(f, 'frame.time_relative')).toEqual({ sec: 0, nsec: 0 });
      expect(one(f, 'frame.time_delta')).toEqual({ sec: 0, nsec: 0 });
      expect(one(f, 'frame.time_delta_displayed')).toEqual({ sec: 0, nsec: 0 });
      expect(one(f, 'frame.offset_shift')).toEqual({ sec: 0, nsec: 0 });
      expect(one(f, 'frame.marked')).toBe(0);
      expect(one(f, 'frame.ignored')).toBe(0);
      expect(one(f, 'frame.encap_type')).toBe(1);
      // Classic pcap: no interface, no section (as in Wireshark).
      expect(f.has('frame.interface_id')).toBe(false);
      expect(f.has('frame.section_number')).toBe(false);
    });

    it('keeps names outside the registry out', () => {
      for (const name of f.keys()) expect(name.startsWith('tcp.options.nop')).toBe(false);
    });
  });

  describe('a UDP frame padded to 60 bytes', () => {
    const data = new Uint8Array(60);
    data.set(P.udpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', sport: 1, dport: 2, payload: text('hi') }));
    data.fill(0x5a, 44);
    const f = fieldsOf(data);

    it('ends the IP datagram (and what follows) at the IP total length', () => {
      expect(proto(f, 'ip').tvb.length).toBe(30);
      expect(proto(f, 'udp').tvb).toEqual(data.subarray(34, 44));
      expect(proto(f, 'udp').bytes.length).toBe(8);
      expect(proto(f, 'eth').tvb.length).toBe(60);
    });
  });

  describe('an ARP request padded to 60 bytes', () => {
    const arp = P.arp({
      op: 1,
      senderMac: '00:11:22:33:44:55',
      senderIp: '10.0.0.1',
      targetMac: '00:00:00:00:00:00',
      targetIp: '10.0.0.2',
    });
    const data = new Uint8Array(60);
    data.set(P.ether({ src: '00:11:22:33:44:55', dst: 'ff:ff:ff:ff:ff:ff', type: P.ETH_ARP }, arp));
    const f = fieldsOf(data);

    it('gives ARP an item over the padding and a tvbuff without it', () => {
      expect(proto(f, 'arp').bytes.length).toBe(46);
      expect(proto(f, 'arp').tvb).toEqual(arp);
      expect(one(f, 'arp.src.proto_ipv4')).toBe(0x0a000001);
      expect(hex(one(f, 'arp.dst.hw_mac') as Uint8Array)).toBe('000000000000');
    });
  });

  describe('TCP over IPv6', () => {
    const data = P.tcpFrame({ srcIp: 'fe80::1', dstIp: '2001:db8::2', sport: 1, dport: 2, seq: 0, ack: 0, flags: P.TCP_ACK });
    const f = fieldsOf(data);

    it('gives IPv6 addresses as 16 bytes, and their text as the host fields', () => {
      expect(hex(one(f, 'ipv6.src') as Uint8Array)).toBe('fe800000000000000000000000000001');
      expect(f.get('ipv6.addr')).toHaveLength(2);
      expect(f.get('ipv6.host')).toEqual(['fe80::1', '2001:db8::2']);
      expect(proto(f, 'ipv6').bytes.length).toBe(40);
      expect(f.has('ip')).toBe(false);
    });
  });

  describe('an ICMP port unreachable quoting a UDP datagram', () => {
    const quoted = P.ipv4(
      { src: '10.0.0.1', dst: '192.168.1.1', proto: 17 },
      P.udp({ sport: 40000, dport: 53 }, new Uint8Array(20), { src: '10.0.0.1', dst: '192.168.1.1' }),
    ).subarray(0, 28);
    const data = P.ether(
      { src: '00:00:00:00:00:01', dst: '00:00:00:00:00:02', type: P.ETH_IPV4 },
      P.ipv4({ src: '192.168.1.1', dst: '10.0.0.1', proto: 1 }, P.icmp({ type: 3, code: 3 }, quoted)),
    );
    const f = fieldsOf(data);

    it('keeps the quoted header occurrences, in tree order', () => {
      expect(f.get('ip.src')).toEqual([0xc0a80101, 0x0a000001]);
      expect(f.get('ip.addr')).toHaveLength(4);
      expect(f.get('udp.dstport')).toEqual([53]);
      expect(f.get('icmp.type')).toEqual([3]);
    });

    it('ends the quoted datagram with the ICMP message', () => {
      expect(proto(f, 'icmp').bytes.length).toBe(36);
      expect(proto(f, 'ip', 1).tvb.length).toBe(28);
      expect(proto(f, 'udp').tvb.length).toBe(8);
    });
  });

  describe('a VXLAN frame carrying TCP', () => {
    const inner = P.tcpFrame({
      srcIp: '172.16.0.5',
      dstIp: '172.16.0.6',
      sport: 33000,
      dport: 22,
      seq: 0,
      ack: 0,
      flags: P.TCP_SYN,
      srcMac: 'fa:16:3e:00:00:01',
    });
    const data = P.udpFrame({ srcIp: '10.1.1.1', dstIp: '10.1.1.2', sport: 50000, dport: 4789, payload: P.vxlan({ vni: 42 }, inner) });
    const f = fieldsOf(data);

    it('keeps the outer and the inner headers', () => {
      expect(f.get('ip.src')).toEqual([0x0a010101, 0xac100005]);
      expect(f.get('eth.src')).toHaveLength(2);
      expect(f.get('eth.addr')).toHaveLength(4);
      expect(one(f, 'vxlan.vni')).toBe(42);
      expect(f.get('tcp.port')).toEqual([33000, 22]);
      expect(f.get('udp.port')).toEqual([50000, 4789]);
    });
  });

  describe('the last fragment of a UDP datagram', () => {
    const datagram = P.ipv4(
      { src: '10.9.9.9', dst: '10.9.9.10', proto: 17, id: 7 },
      P.udp({ sport: 7000, dport: 7001 }, new Uint8Array(1000).fill(0x41), { src: '10.9.9.9', dst: '10.9.9.10' }),
    );
    const frames = P.fragmentIpv4(datagram, 600).map((x) =>
      P.ether({ src: '00:00:00:00:00:01', dst: '00:00:00:00:00:02', type: P.ETH_IPV4 }, x),
    );

    function lastFrame(withSources: boolean): FrameFields {
      const treeState = new DissectState();
      const sumState = new DissectState();
      const s = newSummary();
      let tree: TreeNode[] = [];
      frames.forEach((data, i) => {
        tree = dissectTree(data, LINKTYPE.ETHERNET, treeState, i + 1, { origlen: data.length, tsSec: 1, tsNsec: 0 });
        dissectFrame(data, LINKTYPE.ETHERNET, s, null, sumState, i + 1, data.length);
      });
      expect(s.ipReassembled).toBe(true);
      const data = frames[frames.length - 1]!;
      return frameFields(tree, data, {
        frameNumber: frames.length,
        tsSec: 1,
        tsNsec: 0,
        ...(withSources ? { sources: new Map([['Reassembled IPv4', s.payloadData!]]) } : {}),
      });
    }

    it('reads the transport from the reassembled datagram', () => {
      const f = lastFrame(true);
      expect(one(f, 'udp.dstport')).toBe(7001);
      expect(proto(f, 'udp').bytes.length).toBe(8);
      expect(proto(f, 'udp').tvb.length).toBe(1008);
      expect((one(f, 'udp.payload') as Uint8Array).length).toBe(1000);
      expect(f.get('ip.fragment')).toEqual([1, 2]);
    });

    it('keeps the occurrences, with empty bytes, when the datagram is not supplied', () => {
      const f = lastFrame(false);
      expect(one(f, 'udp.dstport')).toBe(7001);
      expect(proto(f, 'udp').bytes.length).toBe(0);
      expect((one(f, 'udp.payload') as Uint8Array).length).toBe(0);
    });
  });

  describe('frame.* of a pcapng record', () => {
    const data = P.udpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', sport: 1, dport: 2 });
    const tree = dissectTree(data, LINKTYPE.ETHERNET, new DissectState(), 7, {
      origlen: 100,
      tsSec: 1000,
      tsNsec: 100,
      interfaceId: 3,
      comments: ['first\u0000garbage', 'second'],
    });
    const f = frameFields(tree, data, {
      frameNumber: 7,
      tsSec: 1000,
      tsNsec: 100,
      firstTs: { sec: 998, nsec: 500 },
      prevTs: { sec: 999, nsec: 999_999_999 },
      prevDisplayedTs: { sec: 990, nsec: 0 },
      interfaceId: 3,
      interfaceName: 'eth0',
      interfaceDescription: 'uplink',
      sectionNumber: 1,
    });

    it('computes the relative times exactly', () => {
      expect(one(f, 'frame.time_relative')).toEqual({ sec: 1, nsec: 999_999_600 });
      expect(one(f, 'frame.time_delta')).toEqual({ sec: 0, nsec: 101 });
      expect(one(f, 'frame.time_delta_displayed')).toEqual({ sec: 10, nsec: 100 });
    });

    it('takes the lengths from the tree and the interface from the record', () => {
      expect(one(f, 'frame.len')).toBe(100);
      expect(one(f, 'frame.cap_len')).toBe(data.length);
      expect(one(f, 'frame.interface_id')).toBe(3);
      expect(one(f, 'frame.interface_name')).toBe('eth0');
      expect(one(f, 'frame.interface_description')).toBe('uplink');
      expect(one(f, 'frame.section_number')).toBe(1);
    });

    it('cuts strings at a NUL, as a C string ends there', () => {
      expect(f.get('frame.comment')).toEqual(['first', 'second']);
    });
  });

  describe('a tree without a frame node', () => {
    const data = Uint8Array.of(1, 2, 3);
    const f = frameFields([], data, { frameNumber: 9, tsSec: 5, tsNsec: 0, origLen: 10, relSec: 1.5, deltaSec: -0.25, comments: ['c'] });

    it('takes frame.* from the extra values', () => {
      expect(one(f, 'frame.number')).toBe(9);
      expect(one(f, 'frame.len')).toBe(10);
      expect(one(f, 'frame.cap_len')).toBe(3);
      expect(proto(f, 'frame').bytes).toEqual(data);
      expect(one(f, 'frame.time_relative')).toEqual({ sec: 1, nsec: 500_000_000 });
      expect(one(f, 'frame.time_delta')).toEqual({ sec: -1, nsec: 750_000_000 });
      expect(f.get('frame.comment')).toEqual(['c']);
    });
  });

  describe('values a dissector spells otherwise than the registry types them', () => {
    const node = (field: string, value: TreeNode['value'], offset = 0, length = 0): TreeNode => ({
      label: field,
      field,
      offset,
      length,
      ...(value === undefined ? {} : { value }),
    });
    const data = Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    const tree = [
      node('icmp.unused', 0xdead, 0, 2),
      node('vlan.dei', 1),
      node('tcp.len', '42'),
      node('tcp.seq', '9007199254740993'),
      node('ipv6.src', undefined, 4, 16),
      node('ip.src', undefined, 0, 4),
      node('eth.src', 0x001122334455),
      node('icmpv6.opt.linkaddr', '00:11:25:82:95:b5'),
      node('frame.time_epoch', '-1.25'),
      node('frame.protocols', 7),
      node('not.a.field', 1),
    ];
    const f = frameFields(tree, data, { frameNumber: 1, tsSec: 0, tsNsec: 0 });

    it('normalises each to the type', () => {
      expect(one(f, 'icmp.unused')).toEqual(Uint8Array.of(0xde, 0xad));
      expect(one(f, 'vlan.dei')).toBe(1);
      expect(one(f, 'tcp.len')).toBe(42);
      expect(one(f, 'tcp.seq')).toBe(9007199254740993n);
      expect(hex(one(f, 'ipv6.src') as Uint8Array)).toBe('00000000000000000000000000000001');
      expect(one(f, 'ip.src')).toBe(0xdeadbeef);
      expect(hex(one(f, 'eth.src') as Uint8Array)).toBe('001122334455');
      expect(hex(one(f, 'icmpv6.opt.linkaddr') as Uint8Array)).toBe('0011258295b5');
      expect(one(f, 'frame.time_epoch')).toEqual({ sec: -2, nsec: 750_000_000 });
      expect(one(f, 'frame.protocols')).toBe('7');
      expect(f.has('not.a.field')).toBe(false);
    });
  });
});

describe('address and time text', () => {
  it.each([
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['fe80::1', 'fe800000000000000000000000000001'],
    ['2001:db8::2:1', '20010db8000000000000000000020001'],
    ['::ffff:10.0.0.1', '00000000000000000000ffff0a000001'],
    ['::10.0.0.1', '0000000000000000000000000a000001'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
  ])('%s', (t, h) => {
    const b = ipv6Bytes(t)!;
    expect(hex(b)).toBe(h);
    expect(ip6Text(b)).toBe(t);
  });

  it('rejects what is not an IPv6 address', () => {
    for (const t of ['1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', '::g', '1:2:3:4:5:6:7::8']) expect(ipv6Bytes(t), t).toBeNull();
  });

  it('reads seconds exactly and subtracts them exactly', () => {
    expect(parseSeconds('1734551947.286442000')).toEqual({ sec: 1734551947, nsec: 286442000 });
    expect(parseSeconds('0.5')).toEqual({ sec: 0, nsec: 500_000_000 });
    expect(parseSeconds('-0.25')).toEqual({ sec: -1, nsec: 750_000_000 });
    expect(parseSeconds('x')).toBeNull();
    expect(timeDiff({ sec: 10, nsec: 1 }, { sec: 9, nsec: 2 })).toEqual({ sec: 0, nsec: 999_999_999 });
  });
});
