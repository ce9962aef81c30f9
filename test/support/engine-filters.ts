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
  // TCP streams (flows table) and the application analyzers' stored fields.
  'tcp.stream == 0', 'tcp.stream in {1..3}', 'tcp.stream > 5 && tcp.port == 80', '!(tcp.stream == 0)',
  'http', 'http.request', 'http.response', 'http.request.method == "GET"', 'http.request.method == "POST"', 'http.request.method in {"PUT", "DELETE"}',
  'http.request.uri contains "php"', 'http.request.uri matches "(?i)\\\\.(exe|dll|jsp)"', 'http.response.code >= 400', 'http.response.code == 200',
  'http.host contains "com"', 'http.user_agent contains "Mozilla"', 'http.user_agent matches "(?i)curl|wget|python"', 'http.content_type contains "html"',
  'http.request && ip.src == 10.0.0.0/8', 'http.content_length > 10000', 'http.cookie', 'http.request.full_uri contains "http://"',
  'dns', 'dns.flags.response == 0', 'dns.flags.response == 1', 'dns.qry.name contains "google"', 'dns.qry.type == 1', 'dns.qry.type == 28',
  'dns.a', 'dns.a == 8.8.8.8', 'dns.aaaa', 'dns.flags.rcode == 3', 'dns.flags.rcode != 0', 'dns.qry.name matches "^[a-z0-9]{20,}"', 'dns.resp.ttl > 3600',
  'dns.cname', 'dns.txt', 'dns.count.answers > 2',
  'tls', 'tls.handshake.type == 1', 'tls.handshake.type == 2', 'tls.handshake.type == 11', 'tls.handshake.extensions_server_name',
  'tls.handshake.extensions_server_name contains "google"', 'tls.handshake.ja3', 'tls.handshake.ja3s', 'tls.record.version == 0x0303',
  'tls.handshake.ciphersuite == 0x1301', 'tls.handshake.extensions_alpn_str == "h2"', 'x509af.serialNumber', 'quic', 'quic.long.packet_type == 0',
];
