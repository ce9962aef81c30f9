/**
 * Parity with TShark 4.0, the oracle for what a display filter means.
 *
 * 1. Offline: every case of filters.fixture.ts gets the recorded verdict: TShark's valid
 *    filters check clean (except the documented `tracehoundRejects`), its invalid ones fail
 *    with TShark's message.
 * 2. Live, when TShark 4.0 is installed and ../shared/corpus is present: the verdicts and
 *    messages are re-taken from Wireshark itself and compared with ours, and for every
 *    unknown-name case `tshark -Y` must put its caret where we put ours.
 *
 * The live verdicts come from `sharkd` (Wireshark's daemon, the same dfilter compiler as
 * `tshark -Y`, one process for all ~500 filters instead of ~500 TShark start-ups of half a
 * second each) when it is installed, else from `tshark -Y` per filter. The caret check always
 * runs `tshark -Y`, which also cross-checks sharkd on those filters.
 */
// This test drives Wireshark, so it runs in Node; the filter code it tests imports only shared/.
import { execFile, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CORPUS_DIR, hasCorpus } from '../../test/support/shared.js';
import { checkFilter } from './checker.js';
import { FILTER_CASES, type FilterCase } from './filters.fixture.js';

const CAPTURE = `${CORPUS_DIR}/dns-udp-queries.pcap`;

function version(cmd: string): string | null {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout.split('\n')[0] ?? '') : null;
}

const tsharkVersion = version('tshark');
const hasSharkd = spawnSync('sharkd', ['--version'], { stdio: 'ignore' }).status === 0;
const skipLive =
  tsharkVersion === null
    ? 'tshark is not installed'
    : !/ 4\.0\./.test(tsharkVersion)
      ? `the fixture was recorded with TShark 4.0; found "${tsharkVersion}"`
      : !hasCorpus
        ? `${CORPUS_DIR} is absent`
        : '';
if (skipLive) console.warn(`filter parity: live TShark checks skipped: ${skipLive}`);

interface Verdict {
  valid: boolean;
  message: string;
}

/** Verdicts for many filters from one sharkd process (JSON-RPC "check" requests on stdin). */
function sharkdVerdicts(filters: readonly string[]): Verdict[] {
  const input =
    filters.map((filter, i) => JSON.stringify({ jsonrpc: '2.0', id: i + 1, method: 'check', params: { filter } })).join('\n') + '\n';
  const r = spawnSync('sharkd', ['-'], { input, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 });
  const byId = new Map<number, Verdict>();
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const o = JSON.parse(line) as { id?: number; error?: { message: string } };
    if (o.id === undefined) continue;
    byId.set(o.id, o.error ? { valid: false, message: o.error.message.replace(/^Filter invalid - /, '') } : { valid: true, message: '' });
  }
  return filters.map((f, i) => {
    const v = byId.get(i + 1);
    if (!v) throw new Error(`sharkd gave no answer for ${JSON.stringify(f)}`);
    return v;
  });
}

interface TsharkResult extends Verdict {
  /** Caret column and width under the echoed filter, when TShark prints one. */
  caret: { start: number; length: number } | null;
}

function tshark(filter: string): Promise<TsharkResult> {
  return new Promise((resolve) => {
    execFile('tshark', ['-Y', filter, '-r', CAPTURE, '-c', '1'], { encoding: 'utf8', timeout: 60_000 }, (_err, _stdout, stderr) => {
      const lines = stderr.split('\n').filter((l) => l !== '' && !l.startsWith('Running as user'));
      if (lines.length === 0) return resolve({ valid: true, message: '', caret: null });
      const message = lines[0]!.replace(/^tshark: /, '');
      // "tshark: message" / "    filter" / "    ^~~~"
      const caretLine = lines[2]?.startsWith('    ') && lines[2].trim().startsWith('^') ? lines[2] : undefined;
      const caret = caretLine ? { start: caretLine.indexOf('^') - 4, length: caretLine.trim().length } : null;
      resolve({ valid: false, message, caret });
    });
  });
}

async function pool<T, R>(items: readonly T[], width: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]!);
      }
    }),
  );
  return out;
}

/** Our verdict on a case, compared with a (recorded or live) TShark verdict. */
function compare(c: FilterCase, ws: Verdict): void {
  const r = checkFilter(c.filter);
  const ours = r.diagnostics[0];
  if (ws.valid && c.tracehoundRejects === undefined) {
    expect(ours?.message, c.filter).toBeUndefined();
  } else if (ws.valid) {
    expect(ours, `${c.filter}: refused on purpose (${c.tracehoundRejects})`).toBeDefined();
  } else {
    expect(ours?.message, c.filter).toBe(ws.message);
  }
}

describe('filter parity with the recorded TShark 4.0.17 verdicts', () => {
  it('has enough cases, half valid and half invalid', () => {
    const valid = FILTER_CASES.filter((c) => c.tshark === 'valid').length;
    expect(FILTER_CASES.length).toBeGreaterThanOrEqual(100);
    expect(valid / FILTER_CASES.length).toBeGreaterThan(0.4);
    expect(valid / FILTER_CASES.length).toBeLessThan(0.6);
    expect(new Set(FILTER_CASES.map((c) => c.filter)).size).toBe(FILTER_CASES.length);
  });

  it.each(FILTER_CASES.map((c) => [c.filter, c] as const))('%s', (_f, c) => {
    compare(c, { valid: c.tshark === 'valid', message: c.message ?? '' });
  });
});

describe.skipIf(skipLive !== '')('filter parity with live TShark', () => {
  it(
    'accepts exactly what TShark accepts, with its messages',
    () => {
      const filters = FILTER_CASES.map((c) => c.filter);
      const verdicts = hasSharkd ? sharkdVerdicts(filters) : null;
      const check = (live: Verdict[]): void => {
        FILTER_CASES.forEach((c, i) => {
          const ws = live[i]!;
          // The fixture must still describe this TShark.
          expect(ws.valid ? 'valid' : 'invalid', c.filter).toBe(c.tshark);
          if (!ws.valid) expect(ws.message, c.filter).toBe(c.message);
          compare(c, ws);
        });
      };
      if (verdicts) return check(verdicts);
      return pool(filters, 4, tshark).then(check);
    },
    hasSharkd ? 120_000 : 900_000,
  );

  const unknownNames = FILTER_CASES.filter((c) => c.topic.startsWith('Unknown names'));
  it('reports an unknown name with TShark’s words at TShark’s caret', async () => {
    expect(unknownNames.length).toBeGreaterThan(15);
    const live = await pool(unknownNames, 4, (c) => tshark(c.filter));
    unknownNames.forEach((c, i) => {
      const ws = live[i]!;
      const ours = checkFilter(c.filter).diagnostics[0]!;
      expect(ws.valid, c.filter).toBe(false);
      expect(ours.message, c.filter).toBe(ws.message);
      expect({ start: ours.start, length: ours.length }, c.filter).toEqual(ws.caret);
    });
  }, 300_000);
});
