/**
 * Wireshark's default colouring rules, approximated from what a PacketRow carries (protocol
 * column and packets.flags) since the rules' filters would cost a query per row. Order
 * matters, as in Wireshark: the first matching rule wins. Colours live in styles.css as
 * CSS variables per theme; this only picks the rule.
 */
import type { PacketRow } from '../../../shared/model.js';
import { PF_ANOMALY, PF_IS_TCP, PF_TCP_FIN, PF_TCP_RST, PF_TCP_SYN } from './filter-expr.js';

export type ColorRule = 'bad' | 'tcp-rst' | 'tcp-synfin' | 'http' | 'dns' | 'tls' | 'icmp' | 'arp' | 'smb' | 'tcp' | 'udp' | 'none';

const UDP_APPS = /^(DNS|MDNS|LLMNR|NBNS|DHCP|DHCPV6|NTP|SNMP|SSDP|SYSLOG|TFTP|QUIC|UDP|CLDAP|KRB5|NBDGM)$/;

export function colorRule(row: PacketRow): ColorRule {
  const proto = row.protocol.toUpperCase();
  // "Bad TCP" / "Checksum Errors" / malformed: anything the dissectors flagged.
  if (row.flags & PF_ANOMALY) return 'bad';
  const tcp = (row.flags & PF_IS_TCP) !== 0;
  if (tcp && row.flags & PF_TCP_RST) return 'tcp-rst';
  if (tcp && row.flags & (PF_TCP_SYN | PF_TCP_FIN)) return 'tcp-synfin';
  if (proto.startsWith('HTTP')) return 'http';
  if (proto === 'DNS' || proto === 'MDNS' || proto === 'LLMNR') return 'dns';
  if (proto.startsWith('TLS') || proto.startsWith('SSL') || proto === 'DTLS') return 'tls';
  if (proto.startsWith('ICMP')) return 'icmp';
  if (proto === 'ARP' || proto === 'RARP') return 'arp';
  if (proto.startsWith('SMB') || proto === 'NBSS') return 'smb';
  if (tcp) return 'tcp';
  if (UDP_APPS.test(proto)) return 'udp';
  return 'none';
}
