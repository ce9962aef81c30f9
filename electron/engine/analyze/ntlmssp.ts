/**
 * NTLMSSP messages and the SPNEGO wrapping they travel in.
 *
 * References: [MS-NLMP] 2.2.1.1 NEGOTIATE_MESSAGE, 2.2.1.2 CHALLENGE_MESSAGE, 2.2.1.3
 * AUTHENTICATE_MESSAGE, 2.2.2.1 AV_PAIR, 2.2.2.5 NEGOTIATE flags, 2.2.2.7 NTLMv2_CLIENT_CHALLENGE,
 * 2.2.2.8 NTLMv2_RESPONSE, 3.2.5.1.2 (anonymous: empty user, empty NT response, LM response
 * empty or one zero byte), 3.3.1 / 3.3.2 (NTLMv1 / NTLMv2 response computation); RFC 4178
 * (SPNEGO: NegotiationToken ::= CHOICE { negTokenInit [0], negTokenResp [1] }), RFC 2743 3.1
 * (the GSS-API InitialContextToken [APPLICATION 0] wrapper: mech OID then the inner token),
 * RFC 4121 4.1 (Kerberos inner token: 2-byte TOK_ID then AP-REQ [APPLICATION 14]), RFC 1320
 * (MD4, for NTOWF: node:crypto under OpenSSL 3 no longer offers it). Hashcat formats 5500
 * (NetNTLMv1) and 5600 (NetNTLMv2) for the crackable strings.
 *
 * Message header (all three types):
 *
 *   0       8            12
 *   +-------+------------+--------------------------------------------+
 *   |NTLMSSP\0| type (LE32)| type-specific fields, security buffers:     |
 *   +-------+------------+  {len u16, maxLen u16, offset u32 from msg 0} |
 */

import { createHmac } from 'node:crypto';

export const NTLMSSP_SIGNATURE = [0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00];
/** [MS-NLMP] 2.2.2.5: NTLMSSP_NEGOTIATE_UNICODE (bit A): strings are UTF-16LE, else OEM. */
const NEGOTIATE_UNICODE = 0x00000001;
/** [MS-NLMP] 2.2.2.5: NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY (NTLM2 session response for v1). */
export const NEGOTIATE_EXTENDED_SESSIONSECURITY = 0x00080000;

/** Longest string field kept (user, domain, host names are at most 256 characters in Windows). */
const MAX_NAME_BYTES = 1024;
/** AV pairs read from a CHALLENGE's TargetInfo: Windows sends about ten; more is junk. */
const MAX_AV_PAIRS = 64;
/** SPNEGO nesting walked before giving up: a real token nests about six deep. */
const MAX_DER_DEPTH = 12;
/** TLVs examined in one SPNEGO blob: a real one has a few dozen. */
const MAX_DER_NODES = 512;

export interface NtlmNegotiate {
  type: 1;
  flags: number;
  domain: string;
  workstation: string;
}

export interface NtlmChallenge {
  type: 2;
  flags: number;
  serverChallenge: Uint8Array;
  targetName: string;
  /** TargetInfo AV pairs ([MS-NLMP] 2.2.2.1), null when absent. */
  nbComputerName: string | null;
  nbDomainName: string | null;
  dnsComputerName: string | null;
  dnsDomainName: string | null;
  dnsTreeName: string | null;
}

export interface NtlmAuthenticate {
  type: 3;
  flags: number;
  lmResponse: Uint8Array;
  ntResponse: Uint8Array;
  domain: string;
  user: string;
  host: string;
  /** [MS-NLMP] 3.2.5.1.2: anonymous = empty user name and empty NT response (LM empty or Z(1)). */
  anonymous: boolean;
  /** NT response of 24 bytes = NTLMv1 (or NTLM2 session response); longer = NTLMv2; none = null. */
  version: 'NTLMv1' | 'NTLMv2' | null;
  /** First 16 bytes of an NTLMv2 response ([MS-NLMP] 2.2.2.8). */
  ntProofStr: Uint8Array | null;
}

export type NtlmMessage = NtlmNegotiate | NtlmChallenge | NtlmAuthenticate | { type: number; flags: number };

export interface NtlmParse {
  msg: NtlmMessage | null;
  /** Problems found (offsets past the end, short message): for the caller's anomalies. */
  issues: string[];
}

function u16(b: Uint8Array, o: number): number {
  return (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16) | ((b[o + 3] ?? 0) << 24)) >>> 0;
}

export function startsWithNtlmssp(b: Uint8Array, at = 0): boolean {
  if (b.length < at + 8) return false;
  for (let i = 0; i < 8; i++) if (b[at + i] !== NTLMSSP_SIGNATURE[i]) return false;
  return true;
}

/** A security buffer {len, maxLen, offset} at `at`, cut to the message; issues say when it lied. */
function secBuf(b: Uint8Array, at: number, what: string, issues: string[]): Uint8Array {
  if (at + 8 > b.length) return new Uint8Array(0);
  const len = u16(b, at);
  const off = u32(b, at + 4);
  if (len === 0) return new Uint8Array(0);
  if (off > b.length || off + len > b.length) {
    issues.push(`NTLMSSP ${what} buffer (offset ${off}, length ${len}) runs past the message (${b.length} bytes)`);
    return new Uint8Array(0);
  }
  return b.subarray(off, off + len);
}

export function decodeNtlmString(b: Uint8Array, unicode: boolean): string {
  const v = b.subarray(0, MAX_NAME_BYTES);
  if (unicode) return Buffer.from(v.buffer, v.byteOffset, v.length & ~1).toString('utf16le');
  return Buffer.from(v.buffer, v.byteOffset, v.length).toString('latin1');
}

/** Parses one NTLMSSP message (the bytes start with "NTLMSSP\0"); never throws. */
export function parseNtlmssp(input: Uint8Array): NtlmParse {
  const issues: string[] = [];
  if (!startsWithNtlmssp(input) || input.length < 12) return { msg: null, issues: ['not an NTLMSSP message'] };
  // The parts are kept for the session's life (challenge, responses): a copy, so they do not
  // hold the capture's read chunk the message was a view of. Security blobs are < 64 KiB.
  const b = new Uint8Array(input);
  const type = u32(b, 8);
  if (type === 1) {
    const flags = u32(b, 12);
    // Domain and workstation supplied in NEGOTIATE are OEM per [MS-NLMP] 2.2.1.1.
    const domain = b.length >= 24 ? decodeNtlmString(secBuf(b, 16, 'DomainName', issues), false) : '';
    const workstation = b.length >= 32 ? decodeNtlmString(secBuf(b, 24, 'Workstation', issues), false) : '';
    return { msg: { type: 1, flags, domain, workstation }, issues };
  }
  if (type === 2) {
    if (b.length < 32) return { msg: null, issues: ['NTLMSSP CHALLENGE shorter than 32 bytes'] };
    const flags = u32(b, 20);
    const uni = (flags & NEGOTIATE_UNICODE) !== 0;
    const msg: NtlmChallenge = {
      type: 2,
      flags,
      serverChallenge: b.slice(24, 32),
      targetName: decodeNtlmString(secBuf(b, 12, 'TargetName', issues), uni),
      nbComputerName: null,
      nbDomainName: null,
      dnsComputerName: null,
      dnsDomainName: null,
      dnsTreeName: null,
    };
    if (b.length >= 48) {
      const ti = secBuf(b, 40, 'TargetInfo', issues);
      let o = 0;
      for (let n = 0; n < MAX_AV_PAIRS && o + 4 <= ti.length; n++) {
        const id = u16(ti, o);
        const len = u16(ti, o + 2);
        if (id === 0) break; // MsvAvEOL
        if (o + 4 + len > ti.length) {
          issues.push('NTLMSSP AV pair runs past TargetInfo');
          break;
        }
        // AV pair strings are always UTF-16LE ([MS-NLMP] 2.2.2.1).
        const v = decodeNtlmString(ti.subarray(o + 4, o + 4 + len), true);
        if (id === 1) msg.nbComputerName = v;
        else if (id === 2) msg.nbDomainName = v;
        else if (id === 3) msg.dnsComputerName = v;
        else if (id === 4) msg.dnsDomainName = v;
        else if (id === 5) msg.dnsTreeName = v;
        o += 4 + len;
      }
    }
    return { msg, issues };
  }
  if (type === 3) {
    if (b.length < 52) return { msg: null, issues: ['NTLMSSP AUTHENTICATE shorter than 52 bytes'] };
    const flags = b.length >= 64 ? u32(b, 60) : NEGOTIATE_UNICODE;
    const uni = (flags & NEGOTIATE_UNICODE) !== 0;
    const lmResponse = secBuf(b, 12, 'LmChallengeResponse', issues).slice();
    const ntResponse = secBuf(b, 20, 'NtChallengeResponse', issues).slice();
    const domain = decodeNtlmString(secBuf(b, 28, 'DomainName', issues), uni);
    const user = decodeNtlmString(secBuf(b, 36, 'UserName', issues), uni);
    const host = decodeNtlmString(secBuf(b, 44, 'Workstation', issues), uni);
    const lmEmpty = lmResponse.length === 0 || (lmResponse.length === 1 && lmResponse[0] === 0);
    const anonymous = user === '' && ntResponse.length === 0 && lmEmpty;
    const version = ntResponse.length > 24 ? 'NTLMv2' : ntResponse.length === 24 ? 'NTLMv1' : null;
    const ntProofStr = version === 'NTLMv2' ? ntResponse.slice(0, 16) : null;
    return { msg: { type: 3, flags, lmResponse, ntResponse, domain, user, host, anonymous, version, ntProofStr }, issues };
  }
  return { msg: { type, flags: 0 }, issues };
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

/**
 * Hashcat's NetNTLMv2 (5600) `user::domain:serverChallenge:NTProofStr:blob` or NetNTLMv1 (5500)
 * `user::domain:lm:nt:serverChallenge` string, or null (anonymous, no NT response, no challenge).
 */
export function netNtlmString(auth: NtlmAuthenticate, serverChallenge: Uint8Array | null): string | null {
  if (serverChallenge === null || serverChallenge.length !== 8 || auth.anonymous || auth.version === null) return null;
  if (auth.version === 'NTLMv2') {
    return `${auth.user}::${auth.domain}:${hex(serverChallenge)}:${hex(auth.ntResponse.subarray(0, 16))}:${hex(auth.ntResponse.subarray(16))}`;
  }
  return `${auth.user}::${auth.domain}:${hex(auth.lmResponse)}:${hex(auth.ntResponse)}:${hex(serverChallenge)}`;
}

const MESSAGE_NAMES: Readonly<Record<number, string>> = { 1: 'NTLMSSP_NEGOTIATE', 2: 'NTLMSSP_CHALLENGE', 3: 'NTLMSSP_AUTH' };

/** Wireshark's Info text for the message (`NTLMSSP_AUTH, User: DOMAIN\user`). */
export function ntlmInfo(msg: NtlmMessage): string {
  const name = MESSAGE_NAMES[msg.type] ?? 'NTLMSSP_UNKNOWN';
  if (msg.type === 3) {
    const a = msg as NtlmAuthenticate;
    return `${name}, User: ${a.domain}\\${a.user}`;
  }
  return name;
}

/** The ntlmssp fields Wireshark shows, in its tree order. Empty names show as "NULL" in Wireshark. */
export function emitNtlmFields(msg: NtlmMessage, field: (name: string, value: number | string | Uint8Array) => void): void {
  field('ntlmssp', '');
  field('ntlmssp.messagetype', msg.type);
  if (msg.type === 2) field('ntlmssp.ntlmserverchallenge', (msg as NtlmChallenge).serverChallenge);
  if (msg.type === 3) {
    const a = msg as NtlmAuthenticate;
    if (a.ntProofStr !== null) field('ntlmssp.ntlmv2_response.ntproofstr', a.ntProofStr);
    field('ntlmssp.auth.domain', a.domain === '' ? 'NULL' : a.domain);
    field('ntlmssp.auth.username', a.user === '' ? 'NULL' : a.user);
    field('ntlmssp.auth.hostname', a.host === '' ? 'NULL' : a.host);
  }
}

// ---- SPNEGO / GSS-API ----------------------------------------------------------------------

export interface SecurityToken {
  /** The NTLMSSP message inside the blob, or null. */
  ntlmssp: Uint8Array | null;
  /** The blob carries a Kerberos mechanism token (AP-REQ / AP-REP) or offers only Kerberos. */
  kerberos: boolean;
  /** NegTokenResp negState (0 accept-completed, 1 accept-incomplete, 2 reject, 3 request-mic), or null. */
  negState: number | null;
  /** The blob could not be walked as DER (garbage). */
  malformed: boolean;
}

/** OID content bytes of Kerberos 5 (1.2.840.113554.1.2.2) and Microsoft's legacy one (1.2.840.48018.1.2.2). */
const KRB5_OID = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02];
const MS_KRB5_OID = [0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02];

function eqAt(b: Uint8Array, at: number, sig: readonly number[]): boolean {
  if (at + sig.length > b.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}

/** One DER header at `o`: tag, content start and end, or null when the length lies. */
function derHeader(b: Uint8Array, o: number, end: number): { tag: number; start: number; end: number } | null {
  if (o + 2 > end) return null;
  const tag = b[o] ?? 0;
  if ((tag & 0x1f) === 0x1f) return null; // high tag numbers never occur in SPNEGO
  let len = b[o + 1] ?? 0;
  let p = o + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > end) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (b[p + i] ?? 0);
    p += n;
  }
  if (p + len > end) return null;
  return { tag, start: p, end: p + len };
}

/**
 * Finds the NTLMSSP token or a Kerberos token in a SESSION_SETUP security blob: a raw NTLMSSP
 * message, a GSS-API InitialContextToken, or a SPNEGO NegTokenInit / NegTokenResp. Never throws.
 */
export function findSecurityToken(blob: Uint8Array): SecurityToken {
  const out: SecurityToken = { ntlmssp: null, kerberos: false, negState: null, malformed: false };
  if (blob.length === 0) return out;
  if (startsWithNtlmssp(blob)) {
    out.ntlmssp = blob;
    return out;
  }
  let nodes = 0;
  const walk = (s: number, e: number, depth: number, ctxTag: number): void => {
    let o = s;
    while (o < e && out.ntlmssp === null) {
      if (++nodes > MAX_DER_NODES || depth > MAX_DER_DEPTH) return;
      const h = derHeader(blob, o, e);
      if (h === null) {
        out.malformed = true;
        return;
      }
      const { tag } = h;
      if (tag === 0x60) {
        // [APPLICATION 0] InitialContextToken: thisMech OID, then the mechanism's own token.
        const oid = derHeader(blob, h.start, h.end);
        if (oid !== null && oid.tag === 0x06) {
          if (eqAt(blob, oid.start, KRB5_OID) || eqAt(blob, oid.start, MS_KRB5_OID)) {
            if (ctxTag === 2 || depth === 0) out.kerberos = true;
          } else walk(oid.end, h.end, depth + 1, -1);
        }
      } else if (tag === 0x04) {
        // OCTET STRING: mechToken / responseToken: NTLMSSP raw, or a Kerberos GSS token.
        if (startsWithNtlmssp(blob, h.start)) out.ntlmssp = blob.subarray(h.start, h.end);
        else if (ctxTag === 2) {
          const inner = derHeader(blob, h.start, h.end);
          if (inner !== null && inner.tag === 0x60) walk(h.start, h.end, depth + 1, 2);
          // A bare AP-REP ([APPLICATION 15]) or KRB-ERROR ([APPLICATION 30]) answers Kerberos.
          else if (inner !== null && (inner.tag === 0x6f || inner.tag === 0x7e)) out.kerberos = true;
        }
      } else if (tag === 0x0a && ctxTag === 0 && h.end - h.start === 1) {
        out.negState = blob[h.start] ?? null;
      } else if (tag === 0x06 && ctxTag === 1) {
        // supportedMech in a NegTokenResp: Kerberos chosen.
        if (eqAt(blob, h.start, KRB5_OID) || eqAt(blob, h.start, MS_KRB5_OID)) out.kerberos = true;
      } else if (tag & 0x20) {
        // Constructed: SEQUENCE, [n] context tags; remember the context number for the children.
        walk(h.start, h.end, depth + 1, (tag & 0xc0) === 0x80 ? tag & 0x1f : ctxTag);
      }
      o = h.end;
    }
  };
  walk(0, blob.length, 0, -1);
  return out;
}

// ---- MD4 and the NTLM one-way functions (RFC 1320; [MS-NLMP] 3.3) ---------------------------

/** MD4 (RFC 1320): NTOWF needs it and OpenSSL 3 dropped it from the default provider. */
export function md4(data: Uint8Array): Uint8Array {
  const len = data.length;
  const padded = new Uint8Array((((len + 8) >>> 6) + 1) << 6);
  padded.set(data);
  padded[len] = 0x80;
  const bits = len * 8;
  const dv = new DataView(padded.buffer);
  dv.setUint32(padded.length - 8, bits >>> 0, true);
  dv.setUint32(padded.length - 4, Math.floor(bits / 0x100000000), true);
  let a = 0x67452301;
  let b = 0xefcdab89;
  let c = 0x98badcfe;
  let d = 0x10325476;
  const x = new Uint32Array(16);
  const rol = (v: number, s: number): number => (v << s) | (v >>> (32 - s));
  for (let blk = 0; blk < padded.length; blk += 64) {
    for (let i = 0; i < 16; i++) x[i] = dv.getUint32(blk + i * 4, true);
    const X = (i: number): number => x[i] ?? 0;
    const aa = a;
    const bb = b;
    const cc = c;
    const dd = d;
    const F = (p: number, q: number, r: number): number => (p & q) | (~p & r);
    const G = (p: number, q: number, r: number): number => (p & q) | (p & r) | (q & r);
    const H = (p: number, q: number, r: number): number => p ^ q ^ r;
    for (const i of [0, 4, 8, 12]) {
      a = rol((a + F(b, c, d) + X(i)) | 0, 3);
      d = rol((d + F(a, b, c) + X(i + 1)) | 0, 7);
      c = rol((c + F(d, a, b) + X(i + 2)) | 0, 11);
      b = rol((b + F(c, d, a) + X(i + 3)) | 0, 19);
    }
    for (const i of [0, 1, 2, 3]) {
      a = rol((a + G(b, c, d) + X(i) + 0x5a827999) | 0, 3);
      d = rol((d + G(a, b, c) + X(i + 4) + 0x5a827999) | 0, 5);
      c = rol((c + G(d, a, b) + X(i + 8) + 0x5a827999) | 0, 9);
      b = rol((b + G(c, d, a) + X(i + 12) + 0x5a827999) | 0, 13);
    }
    for (const i of [0, 2, 1, 3]) {
      a = rol((a + H(b, c, d) + X(i) + 0x6ed9eba1) | 0, 3);
      d = rol((d + H(a, b, c) + X(i + 8) + 0x6ed9eba1) | 0, 9);
      c = rol((c + H(d, a, b) + X(i + 4) + 0x6ed9eba1) | 0, 11);
      b = rol((b + H(c, d, a) + X(i + 12) + 0x6ed9eba1) | 0, 15);
    }
    a = (a + aa) | 0;
    b = (b + bb) | 0;
    c = (c + cc) | 0;
    d = (d + dd) | 0;
  }
  const out = new Uint8Array(16);
  const ov = new DataView(out.buffer);
  ov.setUint32(0, a >>> 0, true);
  ov.setUint32(4, b >>> 0, true);
  ov.setUint32(8, c >>> 0, true);
  ov.setUint32(12, d >>> 0, true);
  return out;
}

/** [MS-NLMP] 3.3.1 NTOWFv1 = MD4(UNICODE(password)). */
export function ntowfV1(password: string): Uint8Array {
  return md4(Buffer.from(password, 'utf16le'));
}

/** [MS-NLMP] 3.3.2 NTOWFv2 = HMAC_MD5(NTOWFv1, UNICODE(Uppercase(user) + domain)). */
export function ntowfV2(password: string, user: string, domain: string): Uint8Array {
  return createHmac('md5', ntowfV1(password))
    .update(Buffer.from(user.toUpperCase() + domain, 'utf16le'))
    .digest();
}

/** [MS-NLMP] 3.3.2 NTProofStr = HMAC_MD5(NTOWFv2, serverChallenge ‖ temp), temp being the NTLMv2 blob. */
export function ntProofStr(password: string, user: string, domain: string, serverChallenge: Uint8Array, blob: Uint8Array): Uint8Array {
  return createHmac('md5', ntowfV2(password, user, domain)).update(serverChallenge).update(blob).digest();
}
