/**
 * Parity with live TShark 4.0.17 on the shared corpus: for every capture that is not
 * `broken-*`, every filter of parity-filters.ts must match as many frames with the exact
 * evaluator as with tshark, except for the (filter, capture) pairs KNOWN_DIFFERENCES lists
 * with a reason; a listed pair that no longer differs fails too, so the list stays true.
 *
 * Our side: the project's readers (openCaptureStream + createParser), one DissectState per
 * file (IP reassembly), dissectTree → frameFields → compiled evaluators. tshark's side: ONE
 * pass per file, `-q -z io,stat,0,F1,F2,...` (the Frames column of its table) plus one
 * `-z io,phs,F` tap per filter containing a comma (io,stat splits its argument on commas;
 * a PHS tap takes the rest of its argument as the filter), with the corpus's preferences
 * (`-n`, out-of-order TCP reassembly), an empty profile and TZ=UTC.
 *
 * Skipped, with a message, when tshark or the corpus is missing.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { checkFilter, utcTimeZone } from '../../../shared/filter/index.js';
import { createParser, detectFormat, openCaptureStream } from '../capture/detect.js';
import type { CaptureParser, InterfaceInfo } from '../capture/types.js';
import { dissectFrame, dissectTree, DissectState } from '../dissect/frame.js';
import { newSummary } from '../dissect/types.js';
import { compileEvaluator, type Evaluator } from './evaluate.js';
import { frameFields, type TimeValue } from './frame-fields.js';
import { KNOWN_DIFFERENCES, PARITY_FILTERS } from './parity-filters.js';

const run = promisify(execFile);
const CORPUS = fileURLToPath(new URL('../../../../shared/corpus', import.meta.url));

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const TSHARK = hasTshark();
const HAVE_CORPUS = existsSync(CORPUS);
const SKIP = !TSHARK || !HAVE_CORPUS;
if (!TSHARK) console.warn('tshark not found: skipping the display-filter parity test');
else if (!HAVE_CORPUS) console.warn(`${CORPUS} not found: skipping the display-filter parity test`);

const FILES = HAVE_CORPUS
  ? readdirSync(CORPUS)
      .filter((f) => !f.startsWith('broken-') && !f.endsWith('.json') && !f.endsWith('.md'))
      .sort()
  : [];

interface Rec {
  data: Uint8Array;
  caplen: number;
  origlen: number;
  tsSec: number;
  tsNsec: number;
  linktype: number;
  interfaceId: number;
  comments: string[] | null;
}

async function readCapture(path: string): Promise<{ records: Rec[]; format: string; interfaces: readonly InterfaceInfo[] }> {
  const stream = await openCaptureStream(path);
  const records: Rec[] = [];
  let parser: CaptureParser | null = null;
  let format = '';
  try {
    for await (const chunk of stream.chunks) {
      if (!parser) {
        const d = detectFormat(chunk);
        if (!('format' in d)) throw new Error(`${path}: not a capture`);
        format = d.format;
        parser = createParser(d.format, (r) =>
          records.push({
            data: r.data.slice(),
            caplen: r.caplen,
            origlen: r.origlen,
            tsSec: r.tsSec,
            tsNsec: r.tsNsec,
            linktype: r.linktype,
            interfaceId: r.interfaceId,
            comments: r.comments ? [...r.comments] : null,
          }),
        );
      }
      parser.push(chunk);
    }
    parser?.end();
  } catch (e) {
    // Damage after some packets: tshark stops there too.
    if (records.length === 0) throw e;
  }
  return { records, format, interfaces: parser?.interfaces ?? [] };
}

/** Matching-frame counts per filter, by the evaluator. */
function ourCounts(recs: readonly Rec[], format: string, interfaces: readonly InterfaceInfo[], evals: readonly Evaluator[]): number[] {
  const counts = new Array<number>(evals.length).fill(0);
  const treeState = new DissectState();
  // A second pass on the fast path, fed the same frames, hands out the reassembled datagram
  // the tree's "Reassembled IPv4/IPv6" nodes point into.
  const sumState = new DissectState();
  const s = newSummary();
  const pcapng = format === 'pcapng';
  let first: TimeValue | undefined;
  let prev: TimeValue | undefined;
  recs.forEach((r, i) => {
    const n = i + 1;
    const iface = pcapng ? interfaces.find((x) => x.id === r.interfaceId) : undefined;
    const tree = dissectTree(r.data, r.linktype, treeState, n, {
      origlen: r.origlen,
      caplen: r.caplen,
      tsSec: r.tsSec,
      tsNsec: r.tsNsec,
      ...(pcapng ? { interfaceId: r.interfaceId, interfaceName: iface?.name ?? null } : {}),
      comments: r.comments,
    });
    sumState.now = r.tsSec;
    dissectFrame(r.data, r.linktype, s, null, sumState, n, r.origlen);
    const ts = { sec: r.tsSec, nsec: r.tsNsec };
    first ??= ts;
    const fields = frameFields(tree, r.data, {
      frameNumber: n,
      tsSec: r.tsSec,
      tsNsec: r.tsNsec,
      firstTs: first,
      prevTs: prev ?? ts,
      ...(pcapng
        ? {
            interfaceId: r.interfaceId,
            interfaceName: iface?.name ?? null,
            interfaceDescription: iface?.description ?? null,
            // Every pcapng of the corpus has one section.
            sectionNumber: 1,
          }
        : {}),
      ...(s.ipReassembled && s.payloadData
        ? {
            sources: new Map([
              ['Reassembled IPv4', s.payloadData],
              ['Reassembled IPv6', s.payloadData],
            ]),
          }
        : {}),
    });
    prev = ts;
    for (let j = 0; j < evals.length; j++) if (evals[j]!(fields)) counts[j]!++;
  });
  return counts;
}

const PHS_TITLE = 'Protocol Hierarchy Statistics';
/** Filters of the list counted by both taps (parenthesised for the PHS one) to check the reading of each. */
const PHS_SELF_CHECK = ['(frame)', '(ip)', '(tcp.port == 80)'];

async function tshark(path: string, taps: readonly string[], configDir: string): Promise<string> {
  const args = ['-n', '-r', path, '-o', 'tcp.reassemble_out_of_order:TRUE', '-q'];
  for (const t of taps) args.push('-z', t);
  const { stdout } = await run('tshark', args, {
    env: { ...process.env, WIRESHARK_CONFIG_DIR: configDir, TZ: 'UTC' },
    maxBuffer: 1 << 28,
  });
  return stdout;
}

/** Frames per filter from the PHS blocks of `stdout`. */
function phsCounts(stdout: string, out: Map<string, number>): void {
  for (const block of stdout.split(PHS_TITLE).slice(1)) {
    const filter = /^Filter: (.*)$/m.exec(block)?.[1];
    if (filter === undefined) continue;
    // Each frame is one path of the hierarchy, so the top-level rows (usually just `frame`,
    // but `pkt_comment` heads commented frames) add up to the frames the tap counted.
    let frames = 0;
    for (const m of block.matchAll(/^\S+\s+frames:(\d+)/gm)) frames += Number(m[1]);
    out.set(filter, frames);
  }
}

/**
 * tshark's counts for every filter, in one pass: io,stat for the filters without a comma,
 * io,phs for the others. io,stat prints no row for a capture of zero duration (every frame
 * at the same instant, or none): there, a second pass counts every filter with io,phs.
 */
async function tsharkCounts(path: string, filters: readonly string[], configDir: string): Promise<Map<string, number>> {
  const stat = filters.filter((f) => !f.includes(','));
  const phs = filters.filter((f) => f.includes(','));
  const stdout = await tshark(path, [`io,stat,0,${stat.join(',')}`, ...[...phs, ...PHS_SELF_CHECK].map((f) => `io,phs,${f}`)], configDir);
  const out = new Map<string, number>();
  const row = stdout
    .split('\n')
    .filter((l) => l.includes('<>'))
    .at(-1);
  if (row === undefined) {
    phsCounts(
      await tshark(
        path,
        filters.map((f) => `io,phs,${f}`),
        configDir,
      ),
      out,
    );
  } else {
    const cells = row
      .split('|')
      .slice(2, -1)
      .map((c) => c.trim());
    stat.forEach((f, j) => out.set(f, Number(cells[2 * j])));
    phsCounts(stdout, out);
    // Both taps count these; they must agree, or the PHS reading is wrong.
    for (const f of PHS_SELF_CHECK) {
      const plain = f.slice(1, -1);
      if (out.get(f) !== out.get(plain)) throw new Error(`${path}: io,phs counts ${out.get(f)} for ${plain}, io,stat ${out.get(plain)}`);
      out.delete(f);
    }
  }
  for (const f of filters) if (!out.has(f) || Number.isNaN(out.get(f))) throw new Error(`no tshark count for ${f} in ${path}`);
  return out;
}

describe.skipIf(SKIP)('display filters vs TShark 4.0.17 on the corpus', () => {
  const configDir = SKIP ? '' : mkdtempSync(join(tmpdir(), 'th-eval-wsconf-'));
  const compiled = PARITY_FILTERS.map((f) => {
    const r = checkFilter(f, { tz: utcTimeZone });
    return { f, ast: r.ast, error: r.diagnostics[0]?.message };
  });
  let compared = 0;
  const mismatches: string[] = [];

  afterAll(() => {
    if (configDir) rmSync(configDir, { recursive: true, force: true });
    console.log(
      `display-filter parity: ${PARITY_FILTERS.length} filters × ${FILES.length} captures = ${compared} counts compared; ${mismatches.length} known differences`,
    );
  });

  it('has at least 60 filters, all accepted by the front end', () => {
    expect(PARITY_FILTERS.length).toBeGreaterThanOrEqual(60);
    expect(compiled.filter((c) => c.error !== undefined).map((c) => `${c.f}: ${c.error}`)).toEqual([]);
    expect(new Set(PARITY_FILTERS).size).toBe(PARITY_FILTERS.length);
  });

  it('lists known differences only for filters and captures that exist', () => {
    for (const k of KNOWN_DIFFERENCES) {
      expect(PARITY_FILTERS, k.filter).toContain(k.filter);
      for (const file of k.files) expect(FILES, `${k.filter}: ${file}`).toContain(file);
      expect(k.reason.length).toBeGreaterThan(10);
    }
  });

  it.concurrent.each(FILES)(
    '%s',
    async (file) => {
      const path = join(CORPUS, file);
      const usable = compiled.filter((c) => c.ast !== null);
      const oracle = tsharkCounts(
        path,
        usable.map((c) => c.f),
        configDir,
      );
      const { records, format, interfaces } = await readCapture(path);
      const ours = ourCounts(
        records,
        format,
        interfaces,
        usable.map((c) => compileEvaluator(c.ast)),
      );
      const theirs = await oracle;
      const unexplained: string[] = [];
      const differing = new Set<string>();
      usable.forEach((c, j) => {
        compared++;
        const want = theirs.get(c.f)!;
        const got = ours[j]!;
        if (got === want) return;
        differing.add(c.f);
        const known = KNOWN_DIFFERENCES.some((k) => k.filter === c.f && k.files.includes(file));
        const line = `${c.f}: tshark ${want}, evaluator ${got}`;
        if (known) mismatches.push(`${file}: ${line}`);
        else unexplained.push(line);
      });
      const stale = KNOWN_DIFFERENCES.filter((k) => k.files.includes(file) && !differing.has(k.filter)).map(
        (k) => `${k.filter} (listed, but now equal)`,
      );
      expect([...unexplained, ...stale]).toEqual([]);
    },
    120_000,
  );
});
