import { describe, expect, it } from 'vitest';
import { mediaType, sniffMagic, sniffMime } from './mime.js';

const b = (...parts: (string | number[])[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? Array.from(p, (c) => c.charCodeAt(0)) : p)));

/** A ZIP local file header (APPNOTE 4.3.7) naming `name`, followed by `data` stored. */
function zipEntry(name: string, data = ''): Uint8Array {
  const h = [0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  return b(h, [name.length, 0, 0, 0], name, data);
}

describe('sniffMime', () => {
  const cases: [string, Uint8Array, string][] = [
    ['PE (MZ stub)', b('MZ', [0x90, 0, 3, 0]), 'application/x-msdownload'],
    ['ELF', b([0x7f], 'ELF', [2, 1, 1]), 'application/x-elf'],
    ['PDF', b('%PDF-1.5\n'), 'application/pdf'],
    ['plain ZIP', zipEntry('readme.txt', 'hi'), 'application/zip'],
    ['JAR', zipEntry('META-INF/MANIFEST.MF'), 'application/java-archive'],
    ['docx', zipEntry('word/document.xml'), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['ODF mimetype entry', zipEntry('mimetype', 'application/vnd.oasis.opendocument.text'), 'application/vnd.oasis.opendocument.text'],
    ['gzip', b([0x1f, 0x8b, 8, 0]), 'application/gzip'],
    ['PNG', b([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a]), 'image/png'],
    ['JPEG', b([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg'],
    ['GIF89a', b('GIF89a'), 'image/gif'],
    ['GIF87a', b('GIF87a'), 'image/gif'],
    ['CAB', b('MSCF', [0, 0, 0, 0]), 'application/vnd.ms-cab-compressed'],
    ['7z', b([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]), 'application/x-7z-compressed'],
    ['RAR', b('Rar!', [0x1a, 0x07, 0x00]), 'application/vnd.rar'],
    ['class file (major 52)', b([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52]), 'application/java-vm'],
    ['Mach-O fat (2 archs)', b([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]), 'application/x-mach-binary'],
    ['shebang', b('#!/bin/sh\nwget x\n'), 'text/x-shellscript'],
    ['HTML doctype after BOM and blanks', b([0xef, 0xbb, 0xbf], '\r\n  <!DOCTYPE html><html>'), 'text/html'],
    ['HTML tag', b('<html><body>'), 'text/html'],
    ['XML', b('<?xml version="1.0"?><a/>'), 'text/xml'],
    ['PHP source', b('<?php system($_GET["c"]); ?>'), 'application/x-httpd-php'],
    ['JSP source', b('<%@ page import="java.io.*" %>'), 'application/x-jsp'],
    ['JSON object', b('{"a": 1}'), 'application/json'],
    ['JSON array', b('[1, 2]'), 'application/json'],
  ];
  for (const [name, bytes, want] of cases) {
    it(name, () => {
      expect(sniffMime(bytes, 'text/plain')).toBe(want);
    });
  }

  it('falls back to the declared media type, then octet-stream', () => {
    expect(sniffMime(b('hello world'), 'Text/Plain; charset=utf-8')).toBe('text/plain');
    expect(sniffMime(b([0, 1, 2, 3]), null)).toBe('application/octet-stream');
    expect(sniffMime(new Uint8Array(0), 'bogus')).toBe('application/octet-stream');
    expect(sniffMagic(new Uint8Array(0))).toBeNull();
  });

  it('never throws on truncated signatures or random bytes', () => {
    for (let n = 0; n < 40; n++) {
      const r = new Uint8Array(n);
      for (let i = 0; i < n; i++) r[i] = (i * 73 + n * 31) & 0xff;
      expect(typeof sniffMime(r, null)).toBe('string');
    }
    expect(sniffMime(b('PK', [3, 4]), null)).toBe('application/zip');
  });
});

describe('mediaType', () => {
  it('lower-cases and drops parameters', () => {
    expect(mediaType('Text/HTML; charset=UTF-8')).toBe('text/html');
    expect(mediaType('text/html;charset=UTF-8')).toBe('text/html');
    expect(mediaType('  application/json ')).toBe('application/json');
    expect(mediaType('garbage')).toBeNull();
    expect(mediaType(null)).toBeNull();
  });
});
