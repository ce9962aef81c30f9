/**
 * Display-filter expressions for pivots ("Filter on this", "Add to filter"), written the way
 * Wireshark's "Apply as Filter" writes them: `field == value` with the literal in the syntax
 * the field's type takes (shared/fields.ts table), strings double-quoted with escapes,
 * addresses bare, booleans as 1/0, fields without a value as a presence test.
 *
 * Captured strings are hostile: a value is always a literal, never pasted as filter syntax.
 */
import { field as registryField, type FieldDef } from '../../../shared/fields.js';
import type { PacketRow, TreeNode } from '../../../shared/model.js';
import type { Pivot } from '../views/types.js';

export type CombineMode = Extract<Pivot, { kind: 'filter' }>['mode'];

/** packets.flags bits (electron/engine/store/schema.ts; the renderer may not import it). */
export const PF_TCP_FIN = 0x01;
export const PF_TCP_SYN = 0x02;
export const PF_TCP_RST = 0x04;
export const PF_IS_TCP = 1 << 9;
export const PF_ANOMALY = 1 << 10;
export const PF_COMMENT = 1 << 13;
export const PF_IP4 = 1 << 14;
export const PF_IP6 = 1 << 15;

/** A double-quoted filter string literal: `\` and `"` escaped, control bytes as \xHH. */
export function quoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\' || ch === '"') out += `\\${ch}`;
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const MAC = /^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}$/;
const IPV6 = /^[0-9a-fA-F:.]+$/;

export type AddressFamily = 'ipv4' | 'ipv6' | 'ether' | null;

export function addressFamily(addr: string): AddressFamily {
  if (IPV4.test(addr)) return 'ipv4';
  if (MAC.test(addr)) return 'ether';
  if (addr.includes(':') && IPV6.test(addr)) return 'ipv6';
  return null;
}

/** The literal for `value` as a value of field `def`, or null when it cannot be written. */
export function literalFor(def: FieldDef, value: string | number | boolean): string | null {
  switch (def.type) {
    case 'none':
    case 'protocol':
      return null;
    case 'bool':
      return value === true || value === 1 || value === '1' ? '1' : '0';
    case 'uint':
    case 'int':
    case 'framenum': {
      const n = typeof value === 'number' ? value : Number(value);
      if (!Number.isFinite(n) || !Number.isInteger(n)) return null;
      return def.base === 'hex' && n >= 0 ? `0x${n.toString(16)}` : String(n);
    }
    case 'float':
    case 'reltime': {
      const n = typeof value === 'number' ? value : Number(value);
      return Number.isFinite(n) ? String(n) : null;
    }
    case 'ipv4':
      return typeof value === 'string' && IPV4.test(value) ? value : null;
    case 'ipv6':
    case 'ipnet':
      return typeof value === 'string' && addressFamily(value) !== null ? value : null;
    case 'ether':
      return typeof value === 'string' && MAC.test(value) ? value.toLowerCase() : null;
    case 'bytes': {
      if (typeof value !== 'string') return null;
      // Bytes values are lower-case hex (model.ts TreeNode.value): write them aa:bb:cc.
      if (/^(?:[0-9a-f]{2})+$/.test(value)) return value.match(/../g)!.join(':');
      return quoteString(value);
    }
    case 'time': {
      // Machine value: epoch seconds as text; written in UTC so the filter means the same
      // instant whatever zone the engine resolves local times in.
      const m = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(String(value));
      if (!m) return null;
      const d = new Date(Number(m[1]) * 1000);
      if (Number.isNaN(d.getTime())) return null;
      const iso = d.toISOString().slice(0, 19).replace('T', ' ');
      return quoteString(`${iso}.${(m[2] ?? '').padEnd(9, '0')}Z`);
    }
    case 'string':
      return quoteString(String(value));
  }
}

/** `field == literal`, or `field` alone (presence) when the value cannot be written. */
export function fieldExpression(name: string, value: string | number | boolean | undefined): string | null {
  const def = registryField(name);
  if (!def) return null;
  if (value === undefined) return name;
  const lit = literalFor(def, value);
  return lit === null ? name : `${name} == ${lit}`;
}

/** The expression for a detail-tree node, or null for a text-only line. */
export function treeNodeExpression(node: TreeNode): string | null {
  if (!node.field) return null;
  return fieldExpression(node.field, node.value);
}

export type ColumnId = 'no' | 'time' | 'src' | 'dst' | 'protocol' | 'length' | 'info';

/** An address column's field, by the row's outermost network layer (flags) or the text. */
function addressField(row: PacketRow, side: 'src' | 'dst', addr: string): string | null {
  const fam = row.flags & PF_IP4 ? 'ipv4' : row.flags & PF_IP6 ? 'ipv6' : addressFamily(addr);
  if (fam === 'ipv4') return IPV4.test(addr) ? `ip.${side}` : null;
  if (fam === 'ipv6') return addressFamily(addr) === 'ipv6' ? `ipv6.${side}` : null;
  if (fam === 'ether') return `eth.${side}`;
  return null;
}

/** The expression for a packet-list cell, or null when the column has none. */
export function cellExpression(row: PacketRow, column: ColumnId): string | null {
  switch (column) {
    case 'no':
      return `frame.number == ${row.frame}`;
    case 'src':
    case 'dst': {
      const addr = column === 'src' ? row.src : row.dst;
      const f = addressField(row, column, addr);
      return f ? `${f} == ${addr.toLowerCase()}` : null;
    }
    case 'protocol': {
      const name = row.protocol.toLowerCase();
      const def = registryField(name);
      if (def && def.type === 'protocol') return name;
      return row.protocol ? `frame.protocols contains ${quoteString(name)}` : null;
    }
    case 'length':
      return `frame.len == ${row.length}`;
    case 'time':
    case 'info':
      return null;
  }
}

/** The address a cell names, for "Show host". */
export function cellAddress(row: PacketRow, column: ColumnId): string | null {
  if (column !== 'src' && column !== 'dst') return null;
  const addr = column === 'src' ? row.src : row.dst;
  const fam = addressFamily(addr);
  return fam === 'ipv4' || fam === 'ipv6' ? addr : null;
}

/** True when `expr` is wrapped in one pair of parentheses that match each other. */
function fullyParenthesised(expr: string): boolean {
  if (!expr.startsWith('(') || !expr.endsWith(')')) return false;
  let depth = 0;
  let quote = false;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === '"') quote = false;
      continue;
    }
    if (c === '"') quote = true;
    else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0 && i < expr.length - 1) return false;
    }
  }
  return depth === 0;
}

/** Parenthesises a sub-expression unless it is a single term that needs none. */
function group(expr: string): string {
  const e = expr.trim();
  if (fullyParenthesised(e)) return e;
  // A lone comparison or field: no operator outside a string literal.
  const outside = e.replace(/"(?:\\.|[^"\\])*"/g, '""');
  if (!/&&|\|\||\^\^|\band\b|\bor\b|\bxor\b|!(?!=)|\bnot\b/.test(outside)) return e;
  return `(${e})`;
}

/** The filter after a pivot: `current` combined with `expr` as Wireshark's Prepare/Apply menus do. */
export function combineFilter(current: string, expr: string, mode: CombineMode): string {
  const cur = current.trim();
  const e = expr.trim();
  if (mode === 'replace') return e;
  if (mode === 'and-not') return cur ? `${group(cur)} && !${groupNot(e)}` : `!${groupNot(e)}`;
  if (!cur) return e;
  return mode === 'and' ? `${group(cur)} && ${group(e)}` : `${group(cur)} || ${group(e)}`;
}

/** Parenthesise the negated term unless it is a bare field or already grouped: `!(a == 1)` reads unambiguously. */
function groupNot(e: string): string {
  return fullyParenthesised(e) || /^[A-Za-z0-9_.-]+$/.test(e) ? e : `(${e})`;
}
