#!/usr/bin/env node
// Regenerates electron/engine/filter/supported.ts: the registry fields (shared/fields.ts, built
// into dist/) that the dissectors emit. Run after `npm run build` when a dissector gains fields.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
// The L2–L4 dissectors and the application analyzers (whose fields the case stores per frame).
const dirs = ['electron/engine/dissect', 'electron/engine/analyze'].map((d) => join(root, d));
const src = dirs
  .flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => readFileSync(join(dir, f), 'utf8')))
  .join('\n');
const emitted = new Set([...src.matchAll(/'([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)+)'/g)].map((m) => m[1]));
const { FIELDS } = await import(join(root, 'dist/shared/fields.js'));
const protocols = new Set(['http', 'dns', 'tls', 'quic', 'frame', 'eth', 'vlan', 'sll', 'null', 'loop', 'arp', 'ip', 'ipv6', 'tcp', 'udp', 'icmp', 'icmpv6', 'gre', 'erspan', 'vxlan', 'llc', 'esp', 'ah', 'data']);
// Computed by the evaluator from the frame record rather than emitted by a dissector.
const frameFields = ['tcp.stream', 'frame.time_relative', 'frame.time_delta', 'frame.time_delta_displayed', 'frame.number', 'frame.len', 'frame.cap_len', 'frame.time', 'frame.time_epoch', 'frame.interface_id', 'frame.protocols', 'frame.comment', 'frame.encap_type'];
const reg = new Map(FIELDS.map((f) => [f.name, f]));
const out = FIELDS.filter((f) => emitted.has(f.name) || (f.type === 'protocol' && protocols.has(f.name)) || (f.eitherSide && f.eitherSide.every((x) => emitted.has(x)))).map((f) => f.name);
for (const x of frameFields) if (reg.has(x) && !out.includes(x)) out.push(x);
out.sort();
const body = `/**
 * Fields the engine can answer filters on: registry fields the dissectors emit (generated
 * by scripts/gen-supported-fields.mjs from electron/engine/dissect/*.ts and shared/fields.ts).
 * Any other registry field is rejected with a clear "not supported yet" error, never
 * answered differently from Wireshark.
 */
export const SUPPORTED_FIELDS: ReadonlySet<string> = new Set([
${out.map((n) => `  '${n}',`).join('\n')}
]);

export function isSupportedField(name: string): boolean {
  return SUPPORTED_FIELDS.has(name);
}
`;
writeFileSync(join(root, 'electron/engine/filter/supported.ts'), body);
console.log(`supported.ts: ${out.length} fields`);
