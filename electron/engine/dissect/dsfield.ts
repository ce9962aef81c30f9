/** IPv4 DS field / IPv6 traffic class (RFC 2474 DSCP, RFC 3168 ECN) labels, shared by ip.ts and ipv6.ts. */
import type { Ctx } from './ctx.js';
import { bits } from './format.js';

const DSCP_NAMES = new Map<number, string>([
  [0, 'CS0'], [1, 'LE'], [8, 'CS1'], [10, 'AF11'], [12, 'AF12'], [14, 'AF13'], [16, 'CS2'], [18, 'AF21'], [20, 'AF22'],
  [22, 'AF23'], [24, 'CS3'], [26, 'AF31'], [28, 'AF32'], [30, 'AF33'], [32, 'CS4'], [34, 'AF41'], [36, 'AF42'],
  [38, 'AF43'], [40, 'CS5'], [44, 'VOICE-ADMIT'], [46, 'EF'], [48, 'CS6'], [56, 'CS7'],
]);
const ECN_SHORT = ['Not-ECT', 'ECT(1)', 'ECT(0)', 'CE'];
const ECN_LONG = ['Not ECN-Capable Transport', "ECN-Capable Transport codepoint '01'", "ECN-Capable Transport codepoint '10'", 'Congestion Experienced'];

export function dscpText(dscp: number): string {
  return DSCP_NAMES.get(dscp) ?? `Unknown (${dscp})`;
}

/** "Differentiated Services Field" children, shared with IPv6's traffic class. */
export function dsfieldTree(c: Ctx, tos: number, off: number, len: number, prefix: string, width: number, shift: number, raw: number): void {
  const t = c.tree!;
  const dscp = tos >> 2;
  const ecn = tos & 3;
  t.add(`${bits(raw, 0xfc * 2 ** shift, width)}Differentiated Services Codepoint: ${dscp === 0 ? 'Default' : dscpText(dscp)} (${dscp})`, off, len, `${prefix}.dscp`, dscp);
  t.add(`${bits(raw, 0x03 * 2 ** shift, width)}Explicit Congestion Notification: ${ECN_LONG[ecn]} (${ecn})`, off, len, `${prefix}.ecn`, ecn);
}

export function dsfieldSummary(tos: number): string {
  return `DSCP: ${dscpText(tos >> 2)}, ECN: ${ECN_SHORT[tos & 3]}`;
}
