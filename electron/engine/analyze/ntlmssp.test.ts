import { describe, expect, it } from 'vitest';
import { findSecurityToken, md4, netNtlmString, ntowfV1, ntowfV2, parseNtlmssp, type NtlmAuthenticate, type NtlmChallenge } from './ntlmssp.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const u16le = (v: number): number[] => [v & 0xff, v >>> 8];
const u32le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
const SIG = [...Buffer.from('NTLMSSP\0', 'latin1')];

/** DER TLV with a short or long-form length. */
function tlv(tag: number, content: number[]): number[] {
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return [tag, ...len, ...content];
}

/** AUTHENTICATE_MESSAGE ([MS-NLMP] 2.2.1.3) with Unicode strings laid out after a 72-byte header. */
function authMessage(user: string, domain: string, host: string, lm: Uint8Array, nt: Uint8Array): Uint8Array {
  const d = [...Buffer.from(domain, 'utf16le')];
  const u = [...Buffer.from(user, 'utf16le')];
  const h = [...Buffer.from(host, 'utf16le')];
  let off = 72;
  const bufs: number[][] = [[...lm], [...nt], d, u, h, []];
  const hdr: number[] = [...SIG, ...u32le(3)];
  for (const b of bufs) {
    hdr.push(...u16le(b.length), ...u16le(b.length), ...u32le(off));
    off += b.length;
  }
  hdr.push(...u32le(0x00088201), 0, 0, 0, 0, 0, 0, 0, 0);
  while (hdr.length < 72) hdr.push(0);
  return new Uint8Array([...hdr, ...bufs.flat()]);
}

/** CHALLENGE_MESSAGE ([MS-NLMP] 2.2.1.2) with TargetInfo holding the NetBIOS and DNS computer names. */
function challengeMessage(serverChallenge: Uint8Array, nbName: string, dnsName: string): Uint8Array {
  const av = (id: number, s: string): number[] => {
    const v = [...Buffer.from(s, 'utf16le')];
    return [...u16le(id), ...u16le(v.length), ...v];
  };
  const ti = [...av(1, nbName), ...av(3, dnsName), 0, 0, 0, 0];
  const target = [...Buffer.from(nbName, 'utf16le')];
  const hdr = [...SIG, ...u32le(2), ...u16le(target.length), ...u16le(target.length), ...u32le(56), ...u32le(0x00028205), ...serverChallenge, 0, 0, 0, 0, 0, 0, 0, 0, ...u16le(ti.length), ...u16le(ti.length), ...u32le(56 + target.length), 0, 0, 0, 0, 0, 0, 0, 0];
  return new Uint8Array([...hdr, ...target, ...ti]);
}

describe('md4 (RFC 1320 A.5 test suite)', () => {
  it('hashes the RFC vectors', () => {
    expect(hex(md4(new Uint8Array(0)))).toBe('31d6cfe0d16ae931b73c59d7e0c089c0');
    expect(hex(md4(Buffer.from('abc')))).toBe('a448017aaf21d8525fc10ae87aa6729d');
    expect(hex(md4(Buffer.from('message digest')))).toBe('d9130a8164549fe818874806e1c7014b');
    expect(hex(md4(Buffer.from('12345678901234567890123456789012345678901234567890123456789012345678901234567890')))).toBe('e33b4ddc9c38f2199c3e7b164fcc0536');
  });
  it('gives the [MS-NLMP] 4.2.2.1.2 / 4.2.4.1.1 NTOWF values for "Password"', () => {
    expect(hex(ntowfV1('Password'))).toBe('a4f49c406510bdcab6824ee7c30fd852');
    expect(hex(ntowfV2('Password', 'User', 'Domain'))).toBe('0c868a403bfd7a93a3001ef22ef02e3f');
  });
});

describe('parseNtlmssp', () => {
  it('reads a CHALLENGE with its server challenge and target names', () => {
    const r = parseNtlmssp(challengeMessage(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 'SRV01', 'srv01.corp.local'));
    const c = r.msg as NtlmChallenge;
    expect(r.issues).toEqual([]);
    expect(hex(c.serverChallenge)).toBe('0102030405060708');
    expect(c.nbComputerName).toBe('SRV01');
    expect(c.dnsComputerName).toBe('srv01.corp.local');
    expect(c.targetName).toBe('SRV01');
  });

  it('keeps copies, not views of the (much larger) buffer the message came in', () => {
    // A session keeps the challenge until its AUTHENTICATE: a view would pin the capture's
    // whole read chunk (4 MiB) for as long (the leak that grew the ingest's memory).
    const msg = challengeMessage(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 'SRV01', 'srv01.corp.local');
    const chunk = Buffer.alloc(1 << 20);
    chunk.set(msg, 4096);
    const c = parseNtlmssp(chunk.subarray(4096, 4096 + msg.length)).msg as NtlmChallenge;
    expect(hex(c.serverChallenge)).toBe('0102030405060708');
    expect(c.serverChallenge.buffer).not.toBe(chunk.buffer);
    expect(c.serverChallenge.buffer.byteLength).toBeLessThan(4096);
  });

  it('reads an NTLMv2 AUTHENTICATE and builds the 5600 string', () => {
    const nt = new Uint8Array(48).map((_, i) => i);
    const a = parseNtlmssp(authMessage('alice', 'CORP', 'WS1', new Uint8Array(24), nt)).msg as NtlmAuthenticate;
    expect([a.user, a.domain, a.host, a.version, a.anonymous]).toEqual(['alice', 'CORP', 'WS1', 'NTLMv2', false]);
    expect(netNtlmString(a, Uint8Array.from([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00, 0x11]))).toBe(
      `alice::CORP:aabbccddeeff0011:${hex(nt.subarray(0, 16))}:${hex(nt.subarray(16))}`,
    );
  });

  it('builds the NetNTLMv1 (5500) string from 24-byte responses', () => {
    const lm = new Uint8Array(24).fill(1);
    const nt = new Uint8Array(24).fill(2);
    const a = parseNtlmssp(authMessage('bob', 'D', 'H', lm, nt)).msg as NtlmAuthenticate;
    expect(a.version).toBe('NTLMv1');
    expect(netNtlmString(a, new Uint8Array(8))).toBe(`bob::D:${hex(lm)}:${hex(nt)}:0000000000000000`);
  });

  it('recognises an anonymous AUTHENTICATE (empty user, empty NT, LM = Z(1))', () => {
    const a = parseNtlmssp(authMessage('', '', 'WS', new Uint8Array(1), new Uint8Array(0))).msg as NtlmAuthenticate;
    expect(a.anonymous).toBe(true);
    expect(netNtlmString(a, new Uint8Array(8))).toBeNull();
  });

  it('reports security buffers that point past the message and never throws', () => {
    const m = authMessage('alice', 'CORP', 'WS1', new Uint8Array(24), new Uint8Array(48));
    m.set(u32le(0xfffffff0), 36 + 4); // UserName offset
    const r = parseNtlmssp(m);
    expect(r.issues.some((i) => i.includes('UserName'))).toBe(true);
    expect((r.msg as NtlmAuthenticate).user).toBe('');
    for (let n = 0; n < 80; n++) expect(() => parseNtlmssp(m.subarray(0, n))).not.toThrow();
  });
});

describe('findSecurityToken (SPNEGO)', () => {
  const ntlm = [...SIG, ...u32le(1), 0, 0, 0, 0];
  it('finds NTLMSSP in a NegTokenInit mechToken', () => {
    const spnegoOid = tlv(0x06, [0x2b, 0x06, 0x01, 0x05, 0x05, 0x02]);
    const mechTypes = tlv(0xa0, tlv(0x30, tlv(0x06, [0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a])));
    const init = tlv(0x60, [...spnegoOid, ...tlv(0xa0, tlv(0x30, [...mechTypes, ...tlv(0xa2, tlv(0x04, ntlm))]))]);
    const t = findSecurityToken(new Uint8Array(init));
    expect(t.ntlmssp && hex(t.ntlmssp)).toBe(hex(new Uint8Array(ntlm)));
    expect(t.kerberos).toBe(false);
  });
  it('finds NTLMSSP and negState in a NegTokenResp', () => {
    const resp = tlv(0xa1, tlv(0x30, [...tlv(0xa0, tlv(0x0a, [1])), ...tlv(0xa2, tlv(0x04, ntlm))]));
    const t = findSecurityToken(new Uint8Array(resp));
    expect(t.negState).toBe(1);
    expect(t.ntlmssp).not.toBeNull();
  });
  it('detects a Kerberos AP-REQ mechToken', () => {
    const krbOid = tlv(0x06, [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02]);
    const apReq = [...tlv(0x60, [...krbOid, 0x01, 0x00, ...tlv(0x6e, [0x30, 0x00])])];
    const init = tlv(0x60, [...tlv(0x06, [0x2b, 0x06, 0x01, 0x05, 0x05, 0x02]), ...tlv(0xa0, tlv(0x30, tlv(0xa2, tlv(0x04, apReq))))]);
    expect(findSecurityToken(new Uint8Array(init)).kerberos).toBe(true);
  });
  it('survives garbage and truncation', () => {
    const junk = new Uint8Array([0x60, 0x84, 0xff, 0xff, 0xff, 0xff, 0xa0, 0x05, 0x30]);
    expect(findSecurityToken(junk).malformed).toBe(true);
    let seed = 7;
    for (let n = 0; n < 300; n++) {
      const b = new Uint8Array(64).map(() => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
      b[0] = n % 2 ? 0x60 : 0xa1;
      expect(() => findSecurityToken(b)).not.toThrow();
    }
  });
});
