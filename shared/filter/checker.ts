/**
 * Semantic check: resolves names against the field registry, types every literal for the
 * value it meets, applies Wireshark 4.0's rules of what may be compared with what, and builds
 * the checked tree the SQL back end compiles (ast.ts `CheckedExpr`).
 *
 * Errors use TShark 4.0's wording (including its position-dependent messages for an unknown
 * name: "Left side of "==" expression must be a field or function, not ip.scr." on the left
 * of a comparison, "ip.scr is neither a field nor a protocol name." on its own) plus a hint
 * with the nearest registered name. Independent operands of `and`/`or` are all checked, so
 * every mistake in the filter is reported, the first being the one TShark reports.
 *
 * Where Tracehound deliberately refuses what TShark 4.0 accepts, the message names Tracehound:
 * arithmetic (+ - * / %), the layer operator `#`, the functions string/max/min/abs, fields
 * inside a set or as a bit mask, negative numbers for unsigned fields (TShark accepts them and
 * matches nothing), relative times with an exponent (TShark silently drops it), `${macro}`,
 * and PCRE constructs JavaScript cannot express (regex.ts). filters.fixture.ts lists them.
 */
import { field as registryField, ftName, typeName, type FieldDef, type FieldType } from '../fields.js';
import type {
  BinaryOperand,
  BitAndValue,
  CallOperand,
  CheckedExpr,
  CheckedValue,
  CompareExpr,
  Expr,
  FieldValue,
  FunctionValue,
  Literal,
  MembershipExpr,
  NameOperand,
  Operand,
  Quantifier,
  SliceOperand,
  SliceValue,
  Span,
  StringLiteral,
  BytesLiteral,
  ValueType,
} from './ast.js';
import { diag, type Diagnostic } from './diagnostics.js';
import { convertLiteral, targetOf, type LiteralSource, type Target } from './literals.js';
import { parseFilter } from './parser.js';
import { translatePcre } from './regex.js';
import { didYouMean } from './suggest.js';
import type { TimeZoneResolver } from './time.js';

/**
 * How a filter uses a field, for `isSupported`: `exists` (presence: `tcp`, `tcp.flags.syn`),
 * `value` (its values: comparisons, slices, contains, matches, len, lower, upper, in, &),
 * `count` (the number of occurrences: `count(ip.addr)`).
 */
export type FieldUse = 'exists' | 'value' | 'count';

export interface CheckOptions {
  /**
   * Whether the engine can evaluate `field` used as `use`. Unsupported fields are rejected
   * with "is a valid field but is not supported by Tracehound yet". Omitted: everything in
   * the registry is accepted (the renderer's syntax check).
   */
  isSupported?: (field: string, use: FieldUse) => boolean;
  /** Time zone for absolute times written without one; default: the JS Date local zone. */
  tz?: TimeZoneResolver;
}

export interface CheckResult {
  /** The checked tree; null for an empty filter (match every frame) or when there are diagnostics. */
  ast: CheckedExpr | null;
  diagnostics: Diagnostic[];
  /** Accepted but probably not meant (a deprecated operator, a field-like word compared as text). */
  warnings: Diagnostic[];
}

export function checkFilter(text: string, opts: CheckOptions = {}): CheckResult {
  const parsed = parseFilter(text);
  if (parsed.diagnostics.length > 0 || parsed.ast === null)
    return { ast: null, diagnostics: parsed.diagnostics, warnings: parsed.warnings };
  const c = new Checker(text, opts, parsed.warnings);
  const ast = c.guarded(parsed.ast);
  return c.errors.length > 0 ? { ast: null, diagnostics: c.errors, warnings: c.warnings } : { ast, diagnostics: [], warnings: c.warnings };
}

class CheckError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

const VALUE_TYPE: Readonly<Record<FieldType, ValueType>> = {
  none: 'none',
  bool: 'bool',
  uint: 'integer',
  int: 'integer',
  framenum: 'integer',
  float: 'float',
  string: 'string',
  bytes: 'bytes',
  protocol: 'bytes',
  ether: 'ether',
  ipv4: 'ipv4',
  ipv6: 'ipv6',
  ipnet: 'ipv6',
  time: 'time',
  reltime: 'reltime',
};

const BYTES_TARGET: Target = { type: 'bytes', typeName: 'Sequence of bytes', ftName: 'FT_BYTES' };
const UINT32_TARGET: Target = { type: 'uint', bits: 32, typeName: 'Unsigned integer (4 bytes)', ftName: 'FT_UINT32' };
const STRING_TARGET: Target = { type: 'string', typeName: 'Character string', ftName: 'FT_STRING' };

/** Operator as typed → checked operator and default quantifier (ast.ts header table). */
const OPS: Readonly<Record<string, readonly ['eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le', Quantifier]>> = {
  any_eq: ['eq', 'any'],
  all_ne: ['ne', 'all'],
  all_eq: ['eq', 'all'],
  any_ne: ['ne', 'any'],
  gt: ['gt', 'any'],
  ge: ['ge', 'any'],
  lt: ['lt', 'any'],
  le: ['le', 'any'],
};

const SLICEABLE = new Set<FieldType>(['string', 'bytes', 'protocol', 'ether', 'ipv4', 'ipv6']);
const FUNCTIONS = new Set(['len', 'count', 'lower', 'upper']);
/** Wireshark 4.0 functions Tracehound does not evaluate (yet). */
const UNSUPPORTED_FUNCTIONS = new Set(['string', 'max', 'min', 'abs']);

class Checker {
  readonly errors: Diagnostic[] = [];

  constructor(
    private readonly text: string,
    private readonly opts: CheckOptions,
    readonly warnings: Diagnostic[],
  ) {}

  private src(n: Span): string {
    return this.text.slice(n.start, n.end);
  }

  private fail(message: string, at: Span, hint?: string): never {
    throw new CheckError(diag(message, at.start, at.end, hint));
  }

  /** Checks `e`, recording (not throwing) its first error, so sibling operands are checked too. */
  guarded(e: Expr): CheckedExpr {
    try {
      return this.expr(e);
    } catch (err) {
      if (!(err instanceof CheckError)) throw err;
      this.errors.push(err.diagnostic);
      return { ...PLACEHOLDER, start: e.start, end: e.end };
    }
  }

  private expr(e: Expr): CheckedExpr {
    switch (e.kind) {
      case 'and':
      case 'or':
        return { kind: e.kind, left: this.guarded(e.left), right: this.guarded(e.right), start: e.start, end: e.end };
      case 'not':
        return { kind: 'not', operand: this.guarded(e.operand), start: e.start, end: e.end };
      case 'test':
        return this.test(e.operand, e);
      case 'compare':
        if (e.op === 'contains') return this.contains(e);
        if (e.op === 'matches') return this.matches(e);
        return this.compare(e);
      case 'in':
        return this.membership(e);
    }
  }

  // ---- names ----------------------------------------------------------------------------

  private lookup(n: NameOperand): FieldDef | undefined {
    return registryField(n.name);
  }

  private supported(def: FieldDef, at: Span, use: FieldUse): void {
    const ok = this.opts.isSupported;
    if (!ok || ok(def.name, use)) return;
    if (use !== 'exists' && ok(def.name, 'exists')) {
      this.fail(`Tracehound can test whether "${def.name}" is present but cannot use its value yet`, at);
    }
    this.fail(`"${def.name}" is a valid field but is not supported by Tracehound yet`, at);
  }

  private fieldValue(n: NameOperand, def: FieldDef, use: FieldUse): FieldValue {
    this.supported(def, n, use);
    const v: FieldValue = {
      kind: 'field',
      name: def.name,
      fieldType: def.type,
      valueType: VALUE_TYPE[def.type],
      multi: def.multi ?? false,
      start: n.start,
      end: n.end,
    };
    if (def.eitherSide) v.eitherSide = def.eitherSide;
    return v;
  }

  private typeLabel(v: CheckedValue): string {
    switch (v.kind) {
      case 'field':
        return typeName(registryField(v.name)!);
      case 'slice':
        return 'Sequence of bytes';
      case 'function':
        return v.valueType === 'integer' ? 'Unsigned integer (4 bytes)' : 'Character string';
      case 'bitand':
        return this.typeLabel(v.value);
    }
  }

  private targetFor(v: CheckedValue): Target {
    switch (v.kind) {
      case 'field': {
        const def = registryField(v.name)!;
        return targetOf(def, typeName(def), ftName(def));
      }
      case 'slice':
        return BYTES_TARGET;
      case 'function':
        return v.valueType === 'integer' ? UINT32_TARGET : STRING_TARGET;
      case 'bitand':
        return this.targetFor(v.value);
    }
  }

  private arithmetic(op: string, at: Span): never {
    return this.fail(
      `Arithmetic ("${op}") is not supported by Tracehound yet`,
      at,
      'TShark 4.0 evaluates + - * / % on numbers; Tracehound filters do not, so far.',
    );
  }

  private layer(at: Span): never {
    return this.fail(
      'The layer operator "#" is not supported by Tracehound yet',
      at,
      'Compare the field without a layer number: it matches any layer.',
    );
  }

  // ---- tests ----------------------------------------------------------------------------

  private test(op: Operand, at: Span): CheckedExpr {
    switch (op.kind) {
      case 'name': {
        const def = this.lookup(op);
        if (!def) this.fail(`${op.name} is neither a field nor a protocol name.`, op, didYouMean(op.name));
        return { kind: 'exists', value: this.fieldValue(op, def, 'exists'), start: at.start, end: at.end };
      }
      case 'slice':
        return { kind: 'exists', value: this.slice(op), start: at.start, end: at.end };
      case 'binary':
        if (op.op !== '&') this.arithmetic(op.op, op.opSpan);
        return { kind: 'nonzero', value: this.bitAnd(op), start: at.start, end: at.end };
      case 'negate':
        return this.arithmetic('-', { start: op.start, end: op.start + 1 });
      case 'call':
        if (!FUNCTIONS.has(op.name)) this.call(op);
        return this.fail('You cannot test whether a function is present.', op.nameSpan);
      case 'layer':
        return this.layer(op);
      default:
        return this.fail(`${this.src(op)} is neither a field nor a protocol name.`, op);
    }
  }

  // ---- values ---------------------------------------------------------------------------

  /** The left side of a comparison: a field, slice, function or `x & mask`. */
  private lhs(op: Operand, e: CompareExpr): CheckedValue {
    const opWord = e.op === 'contains' || e.op === 'matches' ? e.opText : `"${e.opText}"`;
    const notAField = (hint?: string): never =>
      this.fail(`Left side of ${opWord} expression must be a field or function, not ${this.src(op)}.`, op, hint);
    switch (op.kind) {
      case 'name': {
        const def = this.lookup(op);
        if (!def) return notAField(didYouMean(op.name));
        return this.fieldValue(op, def, 'value');
      }
      case 'slice':
        return this.slice(op);
      case 'call':
        return this.call(op);
      case 'binary':
        if (op.op !== '&') this.arithmetic(op.op, op.opSpan);
        return this.bitAnd(op);
      case 'negate':
        if (op.operand.kind === 'name' && this.lookup(op.operand)) this.arithmetic('-', { start: op.start, end: op.start + 1 });
        return notAField();
      case 'layer':
        return this.layer(op);
      default:
        return notAField();
    }
  }

  /** A value on the right of a comparison, when it is not a literal: a field, slice, function or `&`. */
  private rhsValue(op: Operand): CheckedValue | null {
    switch (op.kind) {
      case 'name': {
        const def = this.lookup(op);
        return def ? this.fieldValue(op, def, 'value') : null;
      }
      case 'slice':
        return this.slice(op);
      case 'call':
        return this.call(op);
      case 'binary':
        if (op.op !== '&') this.arithmetic(op.op, op.opSpan);
        return this.bitAnd(op);
      case 'negate':
        if (op.operand.kind !== 'name' && op.operand.kind !== 'literal') this.arithmetic('-', { start: op.start, end: op.start + 1 });
        if (op.operand.kind === 'name' && this.lookup(op.operand)) this.arithmetic('-', { start: op.start, end: op.start + 1 });
        return null;
      case 'layer':
        return this.layer(op);
      default:
        return null;
    }
  }

  private slice(op: SliceOperand): SliceValue {
    const base = op.operand;
    let of: FieldValue | SliceValue;
    if (base.kind === 'slice') of = this.slice(base);
    else if (base.kind === 'name') {
      const def = this.lookup(base);
      if (!def) this.fail(`Range is not supported for entity ${base.name}`, base, didYouMean(base.name));
      if (!SLICEABLE.has(def.type)) this.fail(`"${def.name}" is a ${typeName(def)} and cannot be sliced into a sequence of bytes.`, base);
      of = this.fieldValue(base, def, 'value');
    } else if (base.kind === 'layer') this.layer(base);
    else if (base.kind === 'call') this.fail('Slicing a function result is not supported by Tracehound yet', op);
    else this.fail(`Range is not supported for entity ${this.src(base)}`, base);
    return {
      kind: 'slice',
      valueType: 'bytes',
      of,
      ranges: op.ranges.map((r) => ({ offset: r.offset, length: r.length })),
      start: op.start,
      end: op.end,
    };
  }

  private call(op: CallOperand): FunctionValue {
    const name = op.name;
    if (!FUNCTIONS.has(name)) {
      if (UNSUPPORTED_FUNCTIONS.has(name)) this.fail(`Function '${name}' is not supported by Tracehound yet`, op.nameSpan);
      this.fail(
        `Function '${name}' does not exist`,
        op.nameSpan,
        FUNCTIONS.has(name.toLowerCase()) ? `Function names are lower case: ${name.toLowerCase()}().` : undefined,
      );
    }
    if (op.args.length === 0) this.fail(`Function ${name} needs at least 1 arguments.`, op.nameSpan);
    if (op.args.length > 1) this.fail(`Function ${name} can only accept 1 arguments.`, op.nameSpan);
    const arg = op.args[0]!;
    const isString = name === 'lower' || name === 'upper';
    const message = isString
      ? `Only string type fields can be used as parameter for ${name}()`
      : `Only fields can be used as parameter for ${name}()`;
    if (arg.kind !== 'name') this.fail(message, arg.kind === 'call' ? arg.nameSpan : arg);
    const def = this.lookup(arg);
    if (!def) this.fail(message, arg, didYouMean(arg.name));
    if (isString && def.type !== 'string') this.fail(message, arg);
    const v = this.fieldValue(arg, def, name === 'count' ? 'count' : 'value');
    return {
      kind: 'function',
      name: name as FunctionValue['name'],
      valueType: isString ? 'string' : 'integer',
      arg: v,
      start: op.start,
      end: op.end,
    };
  }

  private bitAnd(op: BinaryOperand): BitAndValue {
    const l = op.left;
    let value: FieldValue | SliceValue;
    if (l.kind === 'name') {
      const def = this.lookup(l);
      if (!def) this.fail('Constant arithmetic expression on the LHS is invalid.', l, didYouMean(l.name));
      value = this.fieldValue(l, def, 'value');
    } else if (l.kind === 'slice') value = this.slice(l);
    else if (l.kind === 'binary' || l.kind === 'call') this.fail('Only a field or a slice can be masked with "&" in Tracehound', l);
    else if (l.kind === 'layer') this.layer(l);
    else this.fail('Constant arithmetic expression on the LHS is invalid.', l);

    const target = this.targetFor(value);
    const vt = value.valueType;
    if (vt === 'bool' || !(vt === 'integer' || vt === 'ipv4' || vt === 'ether' || vt === 'bytes') || target.type === 'protocol') {
      this.fail(`${target.ftName} cannot &.`, l);
    }
    const r = op.right;
    if (r.kind === 'slice' || r.kind === 'call' || r.kind === 'binary' || r.kind === 'layer' || (r.kind === 'name' && this.lookup(r))) {
      this.fail('Only a literal mask is supported by Tracehound after "&"', r);
    }
    if (r.kind === 'string' && vt === 'integer') this.fail(`"${r.value}" is not a valid arithmetic operand.`, r);
    const mask = this.literal(r, target);
    return { kind: 'bitand', valueType: vt, value, mask, start: op.start, end: op.end };
  }

  // ---- literals -------------------------------------------------------------------------

  private literal(op: Operand, target: Target): Literal {
    let src: LiteralSource;
    switch (op.kind) {
      case 'name':
        src = { kind: 'unquoted', text: op.name, negative: false };
        break;
      case 'literal':
        src = { kind: 'unquoted', text: stripColon(op.text), negative: false };
        break;
      case 'string':
        src = { kind: 'string', bytes: op.bytes, value: op.value };
        break;
      case 'char':
        src = { kind: 'char', value: op.value, text: op.text };
        break;
      case 'negate': {
        const inner = op.operand;
        if (inner.kind !== 'name' && inner.kind !== 'literal') return this.arithmetic('-', { start: op.start, end: op.start + 1 });
        src = { kind: 'unquoted', text: inner.kind === 'name' ? inner.name : stripColon(inner.text), negative: true };
        break;
      }
      default:
        return this.fail(`${this.src(op)} is not a literal value.`, op);
    }
    const r = convertLiteral(src, target, { start: op.start, end: op.end }, this.src(op), this.opts.tz);
    if (!r.ok) {
      const hint = (op.kind === 'name' && op.name.includes('.') ? didYouMean(op.name) : undefined) ?? r.hint;
      // "FT_x cannot -." points at what the minus applies to, as TShark does.
      this.fail(r.message, op.kind === 'negate' && r.message.endsWith('cannot -.') ? op.operand : op, hint);
    }
    if (op.kind === 'name' && target.type === 'string') this.warnFieldLike(op);
    return r.literal;
  }

  /** `http.host == http.hots` compares with the text "http.hots": legal, but rarely meant. */
  private warnFieldLike(op: NameOperand): void {
    const dot = op.name.indexOf('.');
    if (dot <= 0 || registryField(op.name.slice(0, dot))?.type !== 'protocol') return;
    const near = didYouMean(op.name);
    this.warnings.push(
      diag(
        `"${op.name}" is not a field; it is compared as the text "${op.name}".`,
        op.start,
        op.end,
        `${near ? near + ' ' : ''}Quote the text to compare with a string.`,
      ),
    );
  }

  // ---- comparisons ----------------------------------------------------------------------

  private comparable(left: CheckedValue, e: CompareExpr): void {
    if (left.valueType === 'none')
      this.fail(`${this.src(e.left)} (type=${this.typeLabel(left)}) cannot participate in ${e.opText} comparison.`, e.left);
  }

  /** The comparison domain of two values, or null when Wireshark calls them incompatible. */
  private domain(l: CheckedValue, r: CheckedValue): ValueType | null {
    const lt = l.valueType;
    const rt = r.valueType;
    const lproto = l.kind === 'field' && l.fieldType === 'protocol';
    const rproto = r.kind === 'field' && r.fieldType === 'protocol';
    if (lproto || rproto) return lproto && rproto ? 'bytes' : null;
    if (lt === 'none' || rt === 'none') return null;
    if (lt === 'bool') return rt === 'bool' ? 'bool' : null;
    if (lt === 'integer') return rt === 'integer' || rt === 'bool' ? 'integer' : null;
    if (lt === 'ether' && rt === 'ether') return 'ether';
    if ((lt === 'bytes' || lt === 'ether') && (rt === 'bytes' || rt === 'ether')) return 'bytes';
    return lt === rt ? lt : null;
  }

  private compare(e: CompareExpr): CheckedExpr {
    const [op, defaultQ] = OPS[e.op]!;
    const quantifier = e.quantifier ?? defaultQ;
    const left = this.lhs(e.left, e);
    this.comparable(left, e);
    const rv = this.rhsValue(e.right);
    if (rv) {
      const domain = this.domain(left, rv);
      if (domain === null) this.fail(`${this.src(e.left)} and ${this.src(e.right)} are not of compatible types.`, e.right);
      return { kind: 'compare', op, quantifier, domain, left, right: rv, start: e.start, end: e.end };
    }
    const right = this.literal(e.right, this.targetFor(left));
    return { kind: 'compare', op, quantifier, domain: left.valueType, left, right, start: e.start, end: e.end };
  }

  private contains(e: CompareExpr): CheckedExpr {
    const quantifier = e.quantifier ?? 'any';
    const left = this.lhs(e.left, e);
    const vt = left.valueType;
    if (vt !== 'string' && vt !== 'bytes' && vt !== 'ether') {
      this.fail(`${this.src(e.left)} (type=${this.typeLabel(left)}) cannot participate in contains comparison.`, e.left);
    }
    const rv = this.rhsValue(e.right);
    if (rv) {
      const ok = vt === 'string' ? rv.valueType === 'string' : rv.valueType === 'bytes' || rv.valueType === 'ether';
      if (!ok) this.fail(`${this.src(e.left)} and ${this.src(e.right)} are not of compatible types.`, e.right);
      return { kind: 'contains', quantifier, left, right: rv, start: e.start, end: e.end };
    }
    const right = this.literal(e.right, vt === 'string' ? STRING_TARGET : BYTES_TARGET) as StringLiteral | BytesLiteral;
    return { kind: 'contains', quantifier, left, right, start: e.start, end: e.end };
  }

  private matches(e: CompareExpr): CheckedExpr {
    const quantifier = e.quantifier ?? 'any';
    const r = e.right;
    if (r.kind !== 'string') {
      this.fail(
        'Matches requires a double quoted string on the right side.',
        r,
        r.kind === 'name' || r.kind === 'literal' ? `Quote the pattern: "${this.src(r)}".` : undefined,
      );
    }
    const left = this.lhs(e.left, e);
    if (left.valueType !== 'string' && left.valueType !== 'bytes') {
      this.fail(`${this.src(e.left)} (type=${this.typeLabel(left)}) cannot participate in ${e.opText} comparison.`, e.left);
    }
    // Wireshark's PCRE2 runs without UTF: the pattern is the literal's bytes.
    const t = translatePcre(r.bytes);
    if (!t.ok) this.fail(t.message, r, t.hint);
    return {
      kind: 'matches',
      quantifier,
      left,
      regex: { kind: 'regex', pattern: r.value, source: t.source, flags: t.flags, text: this.src(r), start: r.start, end: r.end },
      start: e.start,
      end: e.end,
    };
  }

  private membership(e: MembershipExpr): CheckedExpr {
    const op = e.operand;
    const message = 'Only a field may be tested for membership in a set.';
    if (op.kind === 'layer') this.layer(op);
    if (op.kind !== 'name') this.fail(message, op.kind === 'call' ? op.nameSpan : op);
    const def = this.lookup(op);
    if (!def) this.fail(message, op, didYouMean(op.name));
    const operand = this.fieldValue(op, def, 'value');
    if (operand.valueType === 'none') this.fail(`${op.name} (type=${typeName(def)}) cannot participate in == comparison.`, op);
    const target = this.targetFor(operand);
    const member = (m: Operand): Literal => {
      if (m.kind === 'slice' || m.kind === 'call' || m.kind === 'binary' || m.kind === 'layer' || (m.kind === 'name' && this.lookup(m))) {
        if (m.kind === 'name' && this.lookup(m) && this.domain(operand, this.fieldValue(m, this.lookup(m)!, 'value')) === null) {
          this.fail(`${op.name} and ${m.name} are not of compatible types.`, m);
        }
        this.fail('Fields in a set are not supported by Tracehound yet', m, 'Write the comparison with "==" and "or".');
      }
      return this.literal(m, target);
    };
    const members = e.members.map((m) =>
      m.kind === 'value'
        ? member(m.value)
        : { kind: 'range' as const, low: member(m.low), high: member(m.high), start: m.start, end: m.end },
    );
    return { kind: 'in', quantifier: e.quantifier ?? 'any', operand, members, start: e.start, end: e.end };
  }
}

/** `:ab` is the value `ab` (the colon only keeps it from being read as a name); `::1` is IPv6. */
function stripColon(text: string): string {
  return text.startsWith(':') && !text.startsWith('::') ? text.slice(1) : text;
}

/** Stands in for an operand that failed its check; never reaches the back end (the ast is null then). */
const PLACEHOLDER: CheckedExpr = {
  kind: 'exists',
  value: { kind: 'field', name: 'frame', fieldType: 'protocol', valueType: 'bytes', multi: false, start: 0, end: 0 },
  start: 0,
  end: 0,
};
