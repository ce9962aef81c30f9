/**
 * Dispatch tables, as Wireshark's handoff tables: link type → link dissector,
 * ethertype → network dissector, IP protocol → transport dissector, UDP port →
 * tunnel dissector. This module imports no dissector; `register.ts` fills the tables
 * (so dissectors can hand off to each other without import cycles).
 *
 * The name tables are Wireshark's display names (IANA names as Wireshark words them),
 * used for "Protocol: TCP (6)" labels and for protocols we only name.
 */
import type { Ctx } from './ctx.js';

/** A dissector for one layer: see ctx.ts for the meaning of off / end / rend. */
export type Dissector = (c: Ctx, off: number, end: number, rend: number) => void;

export const linkTypes = new Map<number, Dissector>();
export const ethertypes = new Map<number, Dissector>();
export const ipProtocols: (Dissector | undefined)[] = new Array<Dissector | undefined>(256).fill(undefined);
export const udpPorts = new Map<number, Dissector>();

/**
 * Ethertypes we name but do not dissect: [Protocol column, description].
 * (IEEE registry; wording as Wireshark's ethertype names.)
 */
export const ETHERTYPE_NAMES = new Map<number, readonly [string, string]>([
  [0x0600, ['IDP', 'XNS Internet Datagram Protocol']],
  [0x0800, ['IPv4', 'IPv4']],
  [0x0806, ['ARP', 'ARP']],
  [0x0842, ['WOL', 'Wake on LAN']],
  [0x22f0, ['AVTP', 'IEEE 1722 Audio Video Transport Protocol']],
  [0x22f3, ['TRILL', 'TRILL']],
  [0x6002, ['DEC MOP', 'DEC MOP Remote Console']],
  [0x6003, ['DNA', 'DEC DNA Routing']],
  [0x6004, ['LAT', 'DEC LAT']],
  [0x8035, ['RARP', 'RARP']],
  [0x809b, ['ATALK', 'AppleTalk LLAP bridging']],
  [0x80f3, ['AARP', 'AARP']],
  [0x8100, ['VLAN', '802.1Q Virtual LAN']],
  [0x8137, ['IPX', 'Netware IPX/SPX']],
  [0x8204, ['QNX', 'QNX 6 QNET protocol']],
  [0x86dd, ['IPv6', 'IPv6']],
  [0x8808, ['MAC Control', 'MAC Control']],
  [0x8809, ['Slow Protocols', 'Slow Protocols']],
  [0x8819, ['CobraNet', 'CobraNet']],
  [0x8847, ['MPLS', 'MPLS label switched packet']],
  [0x8848, ['MPLS', 'MPLS multicast label switched packet']],
  [0x8863, ['PPPoED', 'PPPoE Discovery']],
  [0x8864, ['PPPoES', 'PPPoE Session']],
  [0x886d, ['Intel ANS', 'Intel ANS probe']],
  [0x887b, ['HomePlug', 'HomePlug AV']],
  [0x888e, ['EAPOL', '802.1X Authentication']],
  [0x8892, ['PN-RT', 'PROFINET']],
  [0x889a, ['HyperSCSI', 'HyperSCSI']],
  [0x88a2, ['AoE', 'ATA over Ethernet']],
  [0x88a4, ['ECAT', 'EtherCAT frame']],
  [0x88a8, ['VLAN', '802.1ad Provider Bridge (Q-in-Q)']],
  [0x88b5, ['Local Exp', 'Local Experimental Ethertype 1']],
  [0x88b6, ['Local Exp', 'Local Experimental Ethertype 2']],
  [0x88b8, ['GOOSE', 'IEC 61850/GOOSE']],
  [0x88cc, ['LLDP', '802.1 Link Layer Discovery Protocol (LLDP)']],
  [0x88cd, ['SERCOS III', 'SERCOS III']],
  [0x88e1, ['HomePlug AV', 'HomePlug AV MME']],
  [0x88e3, ['MRP', 'Media Redundancy Protocol (IEC62439-2)']],
  [0x88e5, ['MACsec', '802.1AE (MACsec)']],
  [0x88e7, ['PBB', '802.1ah Provider Backbone Bridge (mac-in-mac)']],
  [0x88f7, ['PTPv2', 'PTPv2 over Ethernet (IEEE1588)']],
  [0x88fb, ['PRP', 'Parallel Redundancy Protocol (PRP) and HSR Supervision (IEC62439 Part 3)']],
  [0x8902, ['CFM', 'IEEE 802.1Q Connectivity Fault Management (CFM) protocol']],
  [0x8906, ['FCoE', 'Fibre Channel over Ethernet']],
  [0x8914, ['FIP', 'FCoE Initialization Protocol']],
  [0x891d, ['TTE', 'TTEthernet Protocol Control Frame']],
  [0x893a, ['1905.1', 'IEEE 1905.1a']],
  [0x8940, ['ECP', 'ECP Protocol (also used in 802.1BR)']],
  [0x9000, ['LOOP', 'Configuration Test Protocol (loopback)']],
  [0x9100, ['VLAN', 'VLAN-tagged frame (Q-in-Q)']],
  [0xcafe, ['VLTP', 'Veritas Low Latency Transport (LLT)']],
]);

/** Wireshark's IP protocol names (ipproto.c), 0..143; then IANA's unassigned / reserved blocks. */
const IPPROTO_LOW: readonly string[] = [
  'IPv6 Hop-by-Hop Option', 'ICMP', 'IGMP', 'GGP', 'IPIP', 'Stream', 'TCP', 'CBT', 'EGP', 'IGRP', 'BBN RCC',
  'Network Voice', 'PUP', 'ARGUS', 'EMCON', 'XNET', 'CHAOS', 'UDP', 'Multiplex', 'DCN Measurement',
  'Host Monitoring', 'Packet radio', 'IDP', 'Trunk-1', 'Trunk-2', 'Leaf-1', 'Leaf-2', 'Reliable Data', 'IRT',
  'ISO TP4', 'Bulk Data', 'MFE NSP', 'Merit Internodal', 'Datagram Congestion Control Protocol',
  '3rd Party Connect', 'Inter-Domain Policy Routing Protocol', 'XTP', 'Datagram delivery', 'Control Message',
  'TP++', 'IL', 'IPv6', 'Source demand routing', 'Routing Header for IPv6', 'Fragment Header for IPv6',
  'Inter-Domain Routing Protocol', 'Reservation Protocol', 'Generic Routing Encapsulation',
  'Dynamic source routing', 'BNA', 'Encap Security Payload', 'Authentication Header', 'INSLP', 'SWIPE',
  'NBMA ARP', 'IP Mobility', 'TLSP Kryptonet', 'SKIP', 'ICMPv6', 'No Next Header for IPv6',
  'Destination Options for IPv6', 'any host internal protocol', 'Mobile IPv6 (old)', 'any local network',
  'SATNET EXPAK', 'Kryptolan', 'Remote Virtual Disk', 'IPPC', 'any distributed file system',
  'SATNET Monitoring', 'VISA', 'IPCV', 'CPNX', 'CPHB', 'Wang Span', 'Packet Video', 'Backroom SATNET Mon',
  'Sun ND Protocol', 'Wideband Mon', 'Wideband Expak', 'ISO Internet Protocol', 'VMTP', 'Secure VMTP',
  'VINES', 'TTP', 'NSFNET IGP', 'Dissimilar Gateway', 'TCF', 'EIGRP', 'OSPF IGP', 'Sprite RPC', 'Locus ARP',
  'Multicast Transport', 'AX.25 Frames', 'IP in IP', 'MICP', 'Semaphore', 'Ether in IP', 'ENCAP',
  'any private encryption scheme', 'GMTP', 'Ipsilon Flow', 'PNNI over IP', 'PIM', 'ARIS', 'SCPS', 'QNX',
  'Active Networks', 'IPComp', 'Sitara Networks', 'Compaq Peer', 'IPX IN IP', 'VRRP', 'PGM',
  'any 0-hop protocol', 'Layer 2 Tunneling', 'DDX', 'IATP', 'STP', 'SpectraLink', 'UTI', 'SMP', 'SM', 'PTP',
  'ISIS over IP', 'FIRE', 'CRTP', 'CRUDP', 'SSCOPMCE', 'IPLT', 'Secure Packet', 'PIPE', 'SCTP',
  'Fibre Channel', 'RSVP E2EI', 'Mobile IPv6', 'UDPLite', 'MPLS in IP', 'MANET', 'HIP', 'Shim6 header',
  'WESP', 'ROHC', 'Ethernet',
];

export function ipProtoName(p: number): string {
  if (p < IPPROTO_LOW.length) return IPPROTO_LOW[p]!;
  if (p === 173) return 'AX/4000 Testframe';
  if (p === 224) return 'Novell NCS Heartbeat';
  return p < 225 ? 'Unassigned' : 'Unknown';
}

/**
 * Protocol-column names for IP protocols Wireshark dissects and we only name (their own
 * dissector would set the column); anything else shows as IPv4 / IPv6.
 */
export const IPPROTO_COLUMN = new Map<number, readonly [column: string, layer: string]>([
  [2, ['IGMP', 'igmp']],
  [8, ['EGP', 'egp']],
  [9, ['IGRP', 'igrp']],
  [33, ['DCCP', 'dccp']],
  [46, ['RSVP', 'rsvp']],
  [51, ['AH', 'ah']],
  [88, ['EIGRP', 'eigrp']],
  [89, ['OSPF', 'ospf']],
  [103, ['PIMv2', 'pim']],
  [108, ['IPComp', 'ipcomp']],
  [112, ['VRRP', 'vrrp']],
  [113, ['PGM', 'pgm']],
  [115, ['L2TPv3', 'l2tp']],
  [132, ['SCTP', 'sctp']],
  [136, ['UDPLite', 'udplite']],
  [137, ['MPLS', 'mpls']],
])

/** Layer abbreviation → Wireshark protocol short name, for "[Malformed Packet: TCP]". */
export const LAYER_DISPLAY: Readonly<Record<string, string>> = {
  eth: 'Ethernet',
  vlan: 'VLAN',
  llc: 'LLC',
  arp: 'ARP',
  ip: 'IPv4',
  ipv6: 'IPv6',
  tcp: 'TCP',
  udp: 'UDP',
  icmp: 'ICMP',
  icmpv6: 'ICMPv6',
  sll: 'SLL',
  null: 'NULL',
  raw: 'Raw',
  vxlan: 'VXLAN',
  gre: 'GRE',
  erspan: 'ERSPAN',
  esp: 'ESP',
  frame: 'Frame',
};

/** Dispatch on an ethertype; unknown ones are named in the Protocol column (Wireshark shows "0x88b5"). */
export function dispatchEthertype(c: Ctx, type: number, off: number, end: number, rend: number, noLayer = false): void {
  // Wireshark's stack shows "ethertype" after Ethernet/VLAN/SLL, not after LLC/SNAP or NULL.
  if (!noLayer) c.push('ethertype');
  const fn = ethertypes.get(type);
  if (fn !== undefined) {
    fn(c, off, end, rend);
    return;
  }
  const name = ETHERTYPE_NAMES.get(type);
  if (name !== undefined) {
    c.s.protocol = name[0];
    c.s.info = name[1];
  } else {
    c.s.protocol = '0x' + type.toString(16).padStart(4, '0');
  }
  if (c.tree !== null && off < end) c.tree.add(`Data (${rend - off} bytes)`, off, end - off, 'data');
}

/**
 * Hand the IP payload to its transport dissector. Unknown protocols are named in the
 * columns ("Unassigned (200)") and never fatal. An empty payload is not dissected
 * (Wireshark's IPv4 only calls a subdissector for a non-empty payload).
 */
export function dispatchIpProto(c: Ctx, proto: number, off: number, end: number, rend: number, emptyOk: boolean): void {
  if (rend <= off && !emptyOk) return;
  const fn = ipProtocols[proto];
  if (fn !== undefined) {
    fn(c, off, end, rend);
    return;
  }
  if (c.quoted > 0) return;
  const s = c.s;
  const named = IPPROTO_COLUMN.get(proto);
  s.protocol = named !== undefined ? named[0] : c.ipVersion === 6 ? 'IPv6' : 'IPv4';
  s.info = `${ipProtoName(proto)} (${proto})`;
  c.push(named !== undefined ? named[1] : 'data');
  if (c.tree !== null && off < end) c.tree.add(`Data (${rend - off} bytes)`, off, end - off, 'data');
}
