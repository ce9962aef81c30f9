import { describe, expect, it } from 'vitest';
import type { ApiHandlers } from '../../../shared/api.js';
import type { PacketRow } from '../../../shared/model.js';
import { PacketSource } from './packet-source.js';

/** A host over frames 1..n where the filter "even" keeps even frames and '' keeps all. */
function fakeApi(n: number) {
  const calls: string[] = [];
  const matches = (filter: string, f: number) => (filter === 'even' ? f % 2 === 0 : filter === 'none' ? false : true);
  const row = (frame: number): PacketRow => ({ frame, tsSec: frame, tsNsec: 0, src: 'a', dst: 'b', srcPort: null, dstPort: null, protocol: 'X', length: 1, caplen: 1, info: '', flowId: null, flags: 0 });
  const api = {
    'packets.page': async ({ filter, after, limit }: { filter: string; after: number; limit: number }) => {
      calls.push(`page ${after}`);
      const rows: PacketRow[] = [];
      for (let f = after + 1; f <= n && rows.length < limit; f++) if (matches(filter, f)) rows.push(row(f));
      return { ok: true, value: { rows, done: rows.length < limit } };
    },
    'packets.rank': async ({ filter, frame }: { filter: string; frame: number }) => {
      calls.push(`rank ${frame}`);
      let r = 0;
      for (let f = 1; f < frame && f <= n; f++) if (matches(filter, f)) r++;
      return { ok: true, value: { rank: r } };
    },
  } as unknown as ApiHandlers;
  return { api, calls };
}

describe('PacketSource', () => {
  it('loads the first page after frame 0 and serves rows by index', async () => {
    const { api, calls } = fakeApi(1000);
    const s = new PacketSource(api, 1, '', 1000, 1000, () => {}, 100);
    await s.load(0);
    expect(s.row(0)?.frame).toBe(1);
    expect(s.row(99)?.frame).toBe(100);
    expect(s.row(100)).toBeUndefined();
    expect(calls).toEqual(['page 0']);
  });

  it('pages on from the previous page’s last frame (keyset)', async () => {
    const { api, calls } = fakeApi(1000);
    const s = new PacketSource(api, 1, 'even', 500, 1000, () => {}, 100);
    await s.load(0);
    await s.load(1);
    expect(s.row(100)?.frame).toBe(202);
    expect(calls).toEqual(['page 0', 'page 200']);
  });

  it('jumps deep into a filtered list with a rank search, landing on the exact row', async () => {
    const { api, calls } = fakeApi(1000);
    const s = new PacketSource(api, 1, 'even', 500, 1000, () => {}, 100);
    await s.load(3);
    // Row 300 of the even frames is frame 602.
    expect(s.row(300)?.frame).toBe(602);
    expect(s.row(399)?.frame).toBe(800);
    expect(calls.filter((c) => c.startsWith('rank')).length).toBeLessThanOrEqual(11);
    expect(calls[calls.length - 1]).toBe('page 600');
    // The loaded page now bounds a later search below it.
    calls.length = 0;
    await s.load(2);
    expect(s.row(200)?.frame).toBe(402);
  });

  it('jumps without rank calls when there is no filter (row i is frame i + 1)', async () => {
    const { api, calls } = fakeApi(1000);
    const s = new PacketSource(api, 1, '', 1000, 1000, () => {}, 100);
    await s.load(7);
    expect(s.row(700)?.frame).toBe(701);
    expect(calls).toEqual(['page 700']);
  });

  it('finds a frame’s row index, or says it is filtered out', async () => {
    const { api } = fakeApi(1000);
    const s = new PacketSource(api, 1, 'even', 500, 1000, () => {}, 100);
    expect(await s.indexOfFrame(602)).toEqual({ index: 300, nearest: 300 });
    expect(await s.indexOfFrame(603)).toEqual({ index: null, nearest: 301 });
    expect(await s.indexOfFrame(1000)).toEqual({ index: 499, nearest: 499 });
  });

  it('deduplicates concurrent loads and ignores answers after dispose', async () => {
    const { api, calls } = fakeApi(1000);
    let changes = 0;
    const s = new PacketSource(api, 1, '', 1000, 1000, () => changes++, 100);
    await Promise.all([s.load(0), s.load(0)]);
    expect(calls).toEqual(['page 0']);
    expect(changes).toBe(1);
    const p = s.load(1);
    s.dispose();
    await p;
    expect(s.row(100)).toBeUndefined();
    expect(changes).toBe(1);
  });
});
