/**
 * Filters run through the whole engine (SQL back end for the indexed fields, re-dissection
 * for the rest) in the corpus parity test. The evaluator's own, much longer parity list is
 * electron/engine/filter/parity-filters.ts; this one targets the SQL compiler's mappings in
 * every operator form, plus a few fields only the evaluator answers.
 */
export const ENGINE_FILTERS: readonly string[] = [
  'frame', 'eth', 'ip', 'ipv6', 'tcp', 'udp', 'icmp', 'icmpv6', 'arp', '!ip', 'ip && !tcp && !udp',
  'frame.number <= 10', 'frame.number in {5..9}', 'frame.len > 1000', 'frame.len <= 60',
  'frame.time_relative > 1', 'frame.time_relative <= 0.5', 'frame.interface_id == 1',
  'ip.src == 10.0.0.1', 'ip.addr == 192.168.0.0/16', 'ip.addr != 10.0.0.0/8', 'ip.dst >= 128.0.0.0', 'ip.addr === 10.0.0.0/8',
  'ip.addr !== 192.168.0.0/16', 'not ip.addr == 10.0.0.0/8', 'ip.src in {10.0.0.0/8, 192.168.0.0/16}',
  'ipv6.addr == fe80::/10', 'ipv6.src == ::1', 'ipv6.dst != ff02::/16',
  'tcp.port == 80', 'tcp.port != 80', 'tcp.port in {80, 443, 8080}', 'tcp.srcport > 1024 && tcp.dstport < 1024', 'tcp.dstport in {1..1024}',
  'tcp.port !== 80', 'all tcp.port in {80..443}', 'udp.port == 53', 'udp.srcport == 53 || udp.dstport == 53', 'udp.port >= 1024',
  'tcp.flags.syn == 1 && tcp.flags.ack == 0', 'tcp.flags.syn == 1 && tcp.flags.ack == 1', 'tcp.flags.reset == 1', 'tcp.flags.fin == 1',
  'tcp.flags.push == 1', 'tcp.flags.syn',
  'eth.addr == ff:ff:ff:ff:ff:ff', 'eth.dst == 01:00:5e:00:00:fb',
  // Evaluator-only fields, combined with an indexed test so the SQL narrows the frames to re-dissect.
  'tcp.port == 80 && tcp.len > 0', 'ip.addr == 10.0.0.0/8 && ip.ttl < 64', 'udp.port == 53 && udp.length > 100',
];
