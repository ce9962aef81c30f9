/**
 * Fills the dispatch tables (Wireshark's "handoff" registration). Imported once by
 * frame.ts; dissectors reach each other only through these tables.
 */
import { dissectArp } from './arp.js';
import { dissectEsp } from './esp.js';
import { dissectEth } from './eth.js';
import { dissectGre } from './gre.js';
import { dissectIcmp } from './icmp.js';
import { dissectIcmpv6 } from './icmpv6.js';
import { dissectIp } from './ip.js';
import { dissectIpInIp, dissectIpv6InIp } from './ipip.js';
import { dissectIpv6 } from './ipv6.js';
import { dissectLoop, dissectNull } from './null.js';
import { dissectRaw, dissectRawIpv4, dissectRawIpv6 } from './raw.js';
import { dissectSll, dissectSll2 } from './sll.js';
import { ethertypes, ipProtocols, linkTypes, udpPorts } from './tables.js';
import { dissectTcp } from './tcp.js';
import { dissectUdp } from './udp.js';
import { dissect8021ad, dissectVlan } from './vlan.js';
import { dissectVxlan } from './vxlan.js';

/** tcpdump.org LINKTYPE_* values. */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  /** DLT_RAW on most BSDs. */
  RAW_BSD12: 12,
  /** DLT_RAW on OpenBSD. */
  RAW_BSD14: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

linkTypes.set(LINKTYPE.ETHERNET, dissectEth);
linkTypes.set(LINKTYPE.LINUX_SLL, dissectSll);
linkTypes.set(LINKTYPE.LINUX_SLL2, dissectSll2);
linkTypes.set(LINKTYPE.RAW, dissectRaw);
linkTypes.set(LINKTYPE.RAW_BSD12, dissectRaw);
linkTypes.set(LINKTYPE.RAW_BSD14, dissectRaw);
linkTypes.set(LINKTYPE.IPV4, dissectRawIpv4);
linkTypes.set(LINKTYPE.IPV6, dissectRawIpv6);
linkTypes.set(LINKTYPE.NULL, dissectNull);
linkTypes.set(LINKTYPE.LOOP, dissectLoop);

ethertypes.set(0x0800, dissectIp);
ethertypes.set(0x86dd, dissectIpv6);
ethertypes.set(0x0806, dissectArp);
ethertypes.set(0x8035, dissectArp);
ethertypes.set(0x8100, dissectVlan);
ethertypes.set(0x9100, dissectVlan);
ethertypes.set(0x88a8, dissect8021ad);

ipProtocols[1] = dissectIcmp;
ipProtocols[4] = dissectIpInIp;
ipProtocols[6] = dissectTcp;
ipProtocols[17] = dissectUdp;
ipProtocols[47] = dissectGre;
ipProtocols[41] = dissectIpv6InIp;
ipProtocols[50] = dissectEsp;
ipProtocols[58] = dissectIcmpv6;

/** IANA-assigned VXLAN port (RFC 7348 §5); Wireshark registers only this one by default. */
export const VXLAN_PORT = 4789;
udpPorts.set(VXLAN_PORT, dissectVxlan);
