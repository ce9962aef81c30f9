/**
 * IP-in-IP tunnels: IPv4 in IP (protocol 4, RFC 2003) and IPv6 in IP (protocol 41,
 * RFC 4213 / 6in4). The inner packet is dissected as tshark does; the summary keeps the
 * outer addresses (see vxlan.ts for the shared nesting limit).
 */
import type { Ctx } from './ctx.js';
import { dissectIp } from './ip.js';
import { dissectIpv6 } from './ipv6.js';
import { enterTunnel } from './vxlan.js';

export function dissectIpInIp(c: Ctx, off: number, end: number, rend: number): void {
  if (!enterTunnel(c, off)) return;
  dissectIp(c, off, end, rend);
}

export function dissectIpv6InIp(c: Ctx, off: number, end: number, rend: number): void {
  if (!enterTunnel(c, off)) return;
  dissectIpv6(c, off, end, rend);
}
