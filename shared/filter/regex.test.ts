import { describe, expect, it } from 'vitest';
import { translatePcre } from './regex.js';

/**
 * Match results recorded from libpcre2-8 10.42 (Debian 12, the library TShark 4.0.17 uses),
 * compiled as Wireshark 4.0 compiles `matches` patterns: PCRE2_CASELESS | PCRE2_NEVER_UTF,
 * subjects as bytes. Each row: pattern, indexes of the SUBJECTS it matches. Strings hold one
 * char per byte. (Patterns Tracehound refuses on purpose are tested below, not here.)
 */
const SUBJECTS = [
  '',
  'a',
  'A',
  'abc',
  'ABC',
  'aBc\x0a',
  'abc\x0ax',
  'x\x0aabc',
  'x\x0aabc\x0a',
  'a\x0db',
  'a\x0ab',
  'a b',
  'a\x09b',
  'a\xa0b',
  'a\x85b',
  'ab\x0bc',
  '\xc3\xa9',
  '\xc3\x89',
  'caf\xc3\xa9',
  '\xe9',
  '\xc9',
  '\xff',
  '\x00',
  'a{3}',
  'aaa',
  'a{,3}',
  'a]b',
  'a-b',
  '-',
  '^',
  '\\',
  'x.y',
  'xzy',
  'GET /index',
  'get /INDEX',
  'www.github.com',
  'WWW.GitHub.COM',
  '12345',
  'abc123_',
  'Hello World',
  'aA',
  'AA',
  'aa',
  'ab ab',
  'ab AB',
  'foo.bar',
  'a\x0d\x0ab',
  'a|b',
  'Q.E',
  'k',
  'K',
  's',
  'S',
  '\xb5',
  '[',
  ']',
  '}',
  '{',
];

const PCRE_MATCHES: ReadonlyArray<readonly [string, readonly number[]]> = [
  ['abc', [3, 4, 5, 6, 7, 8, 38]],
  ['ABC', [3, 4, 5, 6, 7, 8, 38]],
  ['(?-i)abc', [3, 6, 7, 8, 38]],
  ['(?-i)ABC', [4]],
  ['a(?i)b(?-i)c', [3, 5, 6, 7, 8, 38]],
  ['(?-i)a(?i:B)c', [3, 5, 6, 7, 8, 38]],
  ['^abc', [3, 4, 5, 6, 38]],
  ['abc$', [3, 4, 5, 7, 8]],
  ['^abc$', [3, 4, 5]],
  ['(?m)^abc$', [3, 4, 5, 6, 7, 8]],
  ['(?m)^x$', [6, 7, 8]],
  ['\\Aabc\\z', [3, 4]],
  ['abc\\Z', [3, 4, 5, 7, 8]],
  ['abc\\z', [3, 4, 7]],
  ['a.b', [9, 11, 12, 13, 14, 26, 27, 47]],
  ['(?s)a.b', [9, 10, 11, 12, 13, 14, 26, 27, 47]],
  ['a\\Nb', [9, 11, 12, 13, 14, 26, 27, 47]],
  ['a\\sb', [9, 10, 11, 12]],
  ['a\\Sb', [13, 14, 26, 27, 47]],
  ['a\\hb', [11, 12, 13]],
  ['a\\vc', []],
  ['a\\Hb', [9, 10, 14, 26, 27, 47]],
  ['\\R', [5, 6, 7, 8, 9, 10, 14, 15, 46]],
  ['a\\Rb', [9, 10, 14, 46]],
  ['\\d+', [23, 25, 37, 38]],
  [
    '\\D',
    [
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36,
      38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57,
    ],
  ],
  [
    '\\w+',
    [
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 23, 24, 25, 26, 27, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45,
      46, 47, 48, 49, 50, 51, 52,
    ],
  ],
  [
    '\\W',
    [
      5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 25, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36, 39, 43, 44, 45, 46,
      47, 48, 53, 54, 55, 56, 57,
    ],
  ],
  [
    '[[:alpha:]]+',
    [
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 23, 24, 25, 26, 27, 31, 32, 33, 34, 35, 36, 38, 39, 40, 41, 42, 43, 44, 45, 46,
      47, 48, 49, 50, 51, 52,
    ],
  ],
  [
    '[[:upper:]]',
    [
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 23, 24, 25, 26, 27, 31, 32, 33, 34, 35, 36, 38, 39, 40, 41, 42, 43, 44, 45, 46,
      47, 48, 49, 50, 51, 52,
    ],
  ],
  [
    '[[:^alpha:]]',
    [
      5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 25, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36, 37, 38, 39, 43, 44,
      45, 46, 47, 48, 53, 54, 55, 56, 57,
    ],
  ],
  [
    '[[:lower:]]',
    [
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 23, 24, 25, 26, 27, 31, 32, 33, 34, 35, 36, 38, 39, 40, 41, 42, 43, 44, 45, 46,
      47, 48, 49, 50, 51, 52,
    ],
  ],
  ['[[:punct:]]', [23, 25, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36, 38, 45, 47, 48, 54, 55, 56, 57]],
  ['[[:space:]]', [5, 6, 7, 8, 9, 10, 11, 12, 15, 33, 34, 39, 43, 44, 46]],
  [
    '[^a]',
    [
      3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38,
      39, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57,
    ],
  ],
  [
    '[^[:alpha:]]',
    [
      5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 25, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36, 37, 38, 39, 43, 44,
      45, 46, 47, 48, 53, 54, 55, 56, 57,
    ],
  ],
  ['[]a]', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 23, 24, 25, 26, 27, 38, 40, 41, 42, 43, 44, 45, 46, 47, 55]],
  [
    '[^]a]',
    [
      3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38,
      39, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 56, 57,
    ],
  ],
  ['[a-c]', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 23, 24, 25, 26, 27, 35, 36, 38, 40, 41, 42, 43, 44, 45, 46, 47]],
  ['[A-C]', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 23, 24, 25, 26, 27, 35, 36, 38, 40, 41, 42, 43, 44, 45, 46, 47]],
  ['[\\d-]', [23, 25, 27, 28, 37, 38]],
  ['[-a]', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 23, 24, 25, 26, 27, 28, 38, 40, 41, 42, 43, 44, 45, 46, 47]],
  ['[a-]', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 23, 24, 25, 26, 27, 28, 38, 40, 41, 42, 43, 44, 45, 46, 47]],
  ['[\\]]', [26, 55]],
  ['[\\\\]', [30]],
  ['[\\x{41}]', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 23, 24, 25, 26, 27, 38, 40, 41, 42, 43, 44, 45, 46, 47]],
  ['[\\s]', [5, 6, 7, 8, 9, 10, 11, 12, 15, 33, 34, 39, 43, 44, 46]],
  [
    '[\\S]',
    [
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36,
      37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57,
    ],
  ],
  ['[\\h]', [11, 12, 13, 33, 34, 39, 43, 44]],
  ['\\x41', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 23, 24, 25, 26, 27, 38, 40, 41, 42, 43, 44, 45, 46, 47]],
  ['\\x{41}', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 23, 24, 25, 26, 27, 38, 40, 41, 42, 43, 44, 45, 46, 47]],
  ['\\101', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 23, 24, 25, 26, 27, 38, 40, 41, 42, 43, 44, 45, 46, 47]],
  ['\\o{101}', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 23, 24, 25, 26, 27, 38, 40, 41, 42, 43, 44, 45, 46, 47]],
  ['\\0', [22]],
  ['\\x00', [22]],
  ['\\cA', []],
  ['\\e', []],
  ['\\xe9', [19]],
  ['\\xc3\\xa9', [16, 18]],
  ['\xe9', [19]],
  ['[\xe9]', [19]],
  ['[\\xc0-\\xff]', [16, 17, 18, 19, 20, 21]],
  ['\\xff', [21]],
  ['a{3}', [24]],
  ['a{,3}', [25]],
  ['a{2,}', [24, 40, 41, 42]],
  ['a{1,2}b', [3, 4, 5, 6, 7, 8, 15, 38, 43, 44]],
  ['x{', []],
  ['}', [23, 25, 56]],
  [']', [26, 55]],
  ['\\Qa.b\\E', []],
  ['\\Qa.b', []],
  ['a\\.b', []],
  ['(?-i)(a)\\1', [24, 42]],
  ['(?-i)(?<n>a)\\k<n>', [24, 42]],
  ['(?-i)(?P<n>a)(?P=n)', [24, 42]],
  ["(?-i)(?'n'a)\\k{n}", [24, 42]],
  ['(?-i)(a)\\g{-1}', [24, 42]],
  ['(?-i)(a)\\g1', [24, 42]],
  ['(?x) a b # c', [3, 4, 5, 6, 7, 8, 15, 38, 43, 44]],
  ['(?x)a\\ b', [11]],
  ['(?x)[ ]', [11, 33, 34, 39, 43, 44]],
  ['a(?#comment)b', [3, 4, 5, 6, 7, 8, 15, 38, 43, 44]],
  [
    '\\p{L}+',
    [
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 27, 31, 32, 33, 34, 35, 36, 38, 39, 40, 41,
      42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53,
    ],
  ],
  ['\\p{Lu}', [2, 4, 5, 16, 17, 18, 20, 33, 34, 36, 39, 40, 41, 44, 48, 50, 52]],
  [
    '\\P{L}',
    [
      5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 22, 23, 25, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36, 37, 38, 39, 43, 44, 45, 46, 47,
      48, 54, 55, 56, 57,
    ],
  ],
  [
    '\\pL',
    [
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 27, 31, 32, 33, 34, 35, 36, 38, 39, 40, 41,
      42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53,
    ],
  ],
  [
    '\\p{^L}',
    [
      5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 22, 23, 25, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36, 37, 38, 39, 43, 44, 45, 46, 47,
      48, 54, 55, 56, 57,
    ],
  ],
  ['\\p{Greek}', []],
  [
    '\\p{Latin}',
    [
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 27, 31, 32, 33, 34, 35, 36, 38, 39, 40, 41,
      42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52,
    ],
  ],
  ['a|b', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 23, 24, 25, 26, 27, 35, 36, 38, 40, 41, 42, 43, 44, 45, 46, 47]],
  ['(a|b)c', [3, 4, 5, 6, 7, 8, 38]],
  ['(?:ab)+', [3, 4, 5, 6, 7, 8, 15, 38, 43, 44]],
  ['(?=a)a', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 23, 24, 25, 26, 27, 38, 40, 41, 42, 43, 44, 45, 46, 47]],
  [
    '(?!a).',
    [
      3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38,
      39, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57,
    ],
  ],
  ['(?<=a)b', [3, 4, 5, 6, 7, 8, 15, 38, 43, 44]],
  ['(?<!a)b', [9, 10, 11, 12, 13, 14, 26, 27, 35, 36, 45, 46, 47]],
  ['(?<=ab|c)d', []],
  ['\\bab\\b', [15, 43, 44]],
  ['\\Bb', [3, 4, 5, 6, 7, 8, 15, 35, 36, 38, 43, 44]],
  [
    'a*?',
    [
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,
      36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57,
    ],
  ],
  ['a+?b', [3, 4, 5, 6, 7, 8, 15, 38, 43, 44]],
  ['(?i)abc', [3, 4, 5, 6, 7, 8, 38]],
  ['(?i)ABC', [3, 4, 5, 6, 7, 8, 38]],
  [
    '[[:word:]]+',
    [
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 23, 24, 25, 26, 27, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45,
      46, 47, 48, 49, 50, 51, 52,
    ],
  ],
  [
    '[[:xdigit:]]+',
    [
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 23, 24, 25, 26, 27, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
      48,
    ],
  ],
  ['[[:cntrl:]]', [5, 6, 7, 8, 9, 10, 12, 15, 22, 46]],
];

describe('translatePcre: matches what PCRE2 matches (recorded from libpcre2)', () => {
  it.each(PCRE_MATCHES)('%j', (pattern, want) => {
    const t = translatePcre(pattern);
    if (!t.ok) throw new Error(t.message);
    const re = new RegExp(t.source, t.flags);
    const got = SUBJECTS.flatMap((s, i) => (re.test(s) ? [i] : []));
    expect(got).toEqual(want);
  });
});

describe('translatePcre: output', () => {
  it.each([
    ['GET', '[Gg][Ee][Tt]'],
    ['(?-i)GET', 'GET'],
    ['(?-i)a(?i)b', 'a[Bb]'],
    ['(?-i)^www\\.x$', '(?<![\\s\\S])www\\x2ex(?=\\n?(?![\\s\\S]))'],
    ['(?-i)a.b', 'a[^\\n]b'],
    ['(?-i)(?s)a.b', 'a[\\s\\S]b'],
    ['(?-i)[a-c\\d]', '[a-c0-9]'],
    ['[a-c]', '[a-cA-C]'],
    ['(?-i)\\s', '[\\x09-\\x0d\\x20]'],
    ['(?-i)(?<n>x)\\k<n>', '(?<n>x)\\k<n>'],
    ['(?-i)(?P<n>x)(?P=n)', '(?<n>x)\\k<n>'],
    ['(?-i)(x)\\1', '(x)(?:\\1)'],
    ['(?-i)\\Qa.b\\E', 'a\\x2eb'],
    ['(?-i)(?=a)', '(?:(?=a))'],
    ['\\p{Lu}', '\\p{Lu}'],
    ['\\p{Greek}', '\\p{Script=Greek}'],
    ['\\xe9', '\\xe9'],
  ])('%s → %s', (pattern, source) => {
    expect(translatePcre(pattern)).toEqual({ ok: true, source, flags: 'u' });
  });
});

describe('translatePcre: errors', () => {
  it.each([
    ['a(', 'Regex compilation error: missing closing parenthesis.'],
    ['a)', 'Regex compilation error: unmatched closing parenthesis.'],
    ['[a', 'Regex compilation error: missing terminating ] for character class.'],
    ['*a', 'Regex compilation error: quantifier does not follow a repeatable item.'],
    ['a**', 'Regex compilation error: quantifier does not follow a repeatable item.'],
    ['a(?i)*', 'Regex compilation error: quantifier does not follow a repeatable item.'],
    ['\\', 'Regex compilation error: \\ at end of pattern.'],
    ['\\c', 'Regex compilation error: \\c at end of pattern.'],
    ['a{2,1}', 'Regex compilation error: numbers out of order in {} quantifier.'],
    ['a{99999}', 'Regex compilation error: number too big in {} quantifier.'],
    ['(?<x>a)(?<x>b)', 'Regex compilation error: two named subpatterns have the same name (PCRE2_DUPNAMES not set).'],
    ['\\k<y>', 'Regex compilation error: reference to non-existent subpattern.'],
    ['\\1', 'Regex compilation error: reference to non-existent subpattern.'],
    ['(?1)', 'Regex compilation error: reference to non-existent subpattern.'],
    ['(?(1)a|b)', 'Regex compilation error: reference to non-existent subpattern.'],
    ['[z-a]', 'Regex compilation error: range out of order in character class.'],
    ['[\\d-z]', 'Regex compilation error: invalid range in character class.'],
    ['\\p{Foo}', 'Regex compilation error: unknown property after \\P or \\p.'],
    ['[[:foo:]]', 'Regex compilation error: unknown POSIX class name.'],
    ['\\u0041', 'Regex compilation error: PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u.'],
    ['\\x{100}', 'Regex compilation error: character code point value in \\x{} or \\o{} is too large.'],
    ['(?<=a+)b', 'Regex compilation error: lookbehind assertion is not fixed length.'],
    ['\\i', 'Regex compilation error: unrecognized character follows \\.'],
    ['(?q)', 'Regex compilation error: unrecognized character after (? or (?-.'],
  ])('%s (PCRE2 rejects it too)', (pattern, message) => {
    expect(translatePcre(pattern)).toEqual({ ok: false, message });
  });

  it.each([
    ['a++', 'a possessive quantifier (such as a++)'],
    ['a*+', 'a possessive quantifier (such as a++)'],
    ['a{2}+', 'a possessive quantifier (such as a++)'],
    ['(?>a)', 'an atomic group (?>...)'],
    ['(?R)', 'recursion such as (?R)'],
    ['(a)(?1)', 'a recursive subpattern call such as (?1)'],
    ['(a)(?(1)b|c)', 'a conditional group (?(...)...)'],
    ['(?|(a)|(b))', 'a branch-reset group (?|...)'],
    ['a\\Kb', '\\K'],
    ['\\Ga', '\\G'],
    ['\\X', '\\X (extended grapheme cluster)'],
    ['(*SKIP)', 'a backtracking verb or start-of-pattern option such as (*SKIP)'],
    ['(?U)a+', 'the (?U) option'],
    ['(a)\\1', 'a back reference in a case-insensitive pattern'],
    ['\\p{Xan}', 'the PCRE property \\p{Xan}'],
  ])('%s has no JavaScript equivalent', (pattern, what) => {
    const r = translatePcre(pattern);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toBe(`Tracehound cannot evaluate this regular expression: ${what} has no JavaScript equivalent.`);
  });

  it('rejects text that is not bytes', () => {
    expect(() => translatePcre('€')).toThrow(/one byte per char/);
  });
});
