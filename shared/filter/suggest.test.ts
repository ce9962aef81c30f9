import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, nearestField } from './suggest.js';

describe('editDistance', () => {
  it.each([
    ['kitten', 'sitting', 3],
    ['ip.scr', 'ip.src', 2],
    ['abc', 'abc', 0],
    ['', 'ab', 2],
    ['tcp.prot', 'tcp.port', 2],
    ['tcp.prt', 'tcp.port', 1],
    [
      'a-very-long-name-beyond-sixty-four-characters-to-grow-the-buffer-xx',
      'a-very-long-name-beyond-sixty-four-characters-to-grow-the-buffer-xy',
      1,
    ],
  ])('%s / %s = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
  it('gives up past the limit', () => {
    expect(editDistance('abcdef', 'uvwxyz', 2)).toBe(3);
    expect(editDistance('a', 'abcd', 1)).toBe(2);
  });
});

describe('nearestField', () => {
  it.each([
    ['ip.scr', 'ip.src'],
    ['ip.sr', 'ip.src'],
    ['tcp.prot', 'tcp.port'],
    ['tpc.port', 'tcp.port'],
    ['udp.srcprot', 'udp.srcport'],
    ['dns.qry.nmae', 'dns.qry.name'],
    ['htpp', 'http'],
    ['tcp', 'tcp'],
  ])('%s → %s', (typed, want) => {
    expect(nearestField(typed)).toBe(want);
  });
  it.each(['foo', 'completely.unknown.thing', 'x'])('%s has no near field', (typed) => {
    expect(nearestField(typed)).toBeUndefined();
    expect(didYouMean(typed)).toBeUndefined();
  });
});
