import { describe, expect, it } from 'vitest';
import { checkFilter } from './checker.js';
import { diag, formatDiagnostic } from './diagnostics.js';

describe('formatDiagnostic', () => {
  it.each([
    ['ip.scr == 1', diag('x', 0, 6), 'ip.scr == 1\n^~~~~~'],
    ['tcp.port == 80 and ip.scr == 1.2.3.4', diag('x', 19, 25), 'tcp.port == 80 and ip.scr == 1.2.3.4\n                   ^~~~~~'],
    ['ip.src ==', diag('x', 9, 9), 'ip.src ==\n         ^'],
    ['a\tb', diag('x', 2, 3), 'a b\n  ^'],
    ['ab', diag('x', 1, 10), 'ab\n ^'],
    ['', diag('x', 0, 0), '\n^'],
  ])('%j', (text, d, want) => {
    expect(formatDiagnostic(text, d)).toBe(want);
  });

  it('diag() omits an absent hint and never gives a negative length', () => {
    expect(diag('m', 3, 1)).toEqual({ message: 'm', start: 3, length: 0 });
    expect(diag('m', 1, 2, 'h')).toEqual({ message: 'm', start: 1, length: 1, hint: 'h' });
  });

  it('reads like TShark for a typical mistake', () => {
    const text = 'ip.src == 10.0.0.1 && tcp.prot == 80';
    const d = checkFilter(text).diagnostics[0]!;
    expect(`${d.message}\n${formatDiagnostic(text, d)}\n${d.hint}`).toBe(
      [
        'Left side of "==" expression must be a field or function, not tcp.prot.',
        'ip.src == 10.0.0.1 && tcp.prot == 80',
        '                      ^~~~~~~~',
        'Did you mean "tcp.port"?',
      ].join('\n'),
    );
  });
});
