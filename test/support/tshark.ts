/** Runs tshark as the oracle: frame counts for many display filters in few passes. */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** An empty profile: the oracle runs with Wireshark's defaults plus the corpus's one preference. */
const CONFIG_DIR = mkdtempSync(join(tmpdir(), 'th-wsconf-'));
const BASE = ['-n', '-o', 'tcp.reassemble_out_of_order:TRUE'];
const env = { ...process.env, WIRESHARK_CONFIG_DIR: CONFIG_DIR };

async function countOne(file: string, filter: string): Promise<number | null> {
  try {
    const r = await run('tshark', [...BASE, '-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], { env, maxBuffer: 1 << 28 });
    return r.stdout.split('\n').filter((l) => l.trim() !== '').length;
  } catch {
    return null;
  }
}

/** Protocols of the fields a filter names (`http.host contains "x"` → http). */
function protocolsOf(filter: string): string[] {
  const names = filter.replace(/"(?:[^"\\]|\\.)*"/g, '""').match(/\b[a-z_][a-z0-9_]*(?:\.[A-Za-z0-9_]+)*/g) ?? [];
  return [...new Set(names.filter((n) => n.includes('.')).map((n) => n.slice(0, n.indexOf('.'))))];
}

/**
 * Frames matching each filter (null where tshark rejects it). One io,stat pass per 40
 * filters; filters io,stat cannot carry (commas, quotes) run one by one, except that a
 * conjunction naming a protocol tshark finds in no frame of the file matches none (a field
 * needs its protocol), which saves a tshark run per application filter per capture.
 */
export async function tsharkCounts(file: string, filters: readonly string[]): Promise<Map<string, number | null>> {
  const out = new Map<string, number | null>();
  const batchable = filters.filter((f) => !f.includes(','));
  const single = filters.filter((f) => !batchable.includes(f));
  const protocols = [...new Set(single.flatMap(protocolsOf))].filter((p) => !batchable.includes(p));
  await batchCounts(file, [...batchable, ...protocols], out);
  for (const f of single) {
    const absent = !/!|\bnot\b|\|\||\bor\b/.test(f) && protocolsOf(f).some((p) => out.get(p) === 0);
    out.set(f, absent ? 0 : await countOne(file, f));
  }
  for (const p of protocols) if (!filters.includes(p)) out.delete(p);
  return out;
}

async function batchCounts(file: string, list: readonly string[], out: Map<string, number | null>): Promise<void> {
  for (let i = 0; i < list.length; i += 40) {
    const batch = list.slice(i, i + 40);
    try {
      const r = await run('tshark', [...BASE, '-r', file, '-q', '-z', `io,stat,0,${batch.join(',')}`], { env, maxBuffer: 1 << 26 });
      const rows = r.stdout.split('\n').filter((l) => /<>/.test(l));
      const last = rows.at(-1);
      if (!last) throw new Error('no io,stat row');
      const cells = last.split('|').slice(2, -1).map((c) => c.trim());
      batch.forEach((f, j) => out.set(f, Number(cells[j * 2])));
    } catch {
      // No io,stat row (a capture whose frames all share one timestamp prints none) or a
      // filter io,stat refuses: one run per filter, a few at a time.
      for (let j = 0; j < batch.length; j += 4) {
        const part = batch.slice(j, j + 4);
        const counts = await Promise.all(part.map((f) => countOne(file, f)));
        part.forEach((f, k) => out.set(f, counts[k]!));
      }
    }
  }
}
