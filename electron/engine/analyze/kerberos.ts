/**
 * Kerberos V5 analyzer (UDP and TCP port 88).
 *
 * Specs:
 *  - RFC 4120 §5 (ASN.1 of the messages): KDC-REQ (AS-REQ [APPLICATION 10], TGS-REQ [12]) with
 *    PA-DATA and KDC-REQ-BODY; KDC-REP (AS-REP [11], TGS-REP [13]) with the Ticket
 *    [APPLICATION 1] and EncryptedData; AP-REQ [14] / AP-REP [15]; KRB-SAFE [20], KRB-PRIV [21];
 *    KRB-ERROR [30] (§5.9.1) and its error codes (§7.5.9); PA-DATA types (§7.5.2), ETYPE-INFO
 *    and ETYPE-INFO2 (§5.2.7.4, §5.2.7.5), PA-ENC-TIMESTAMP (§5.2.7.2).
 *  - RFC 4120 §7.2.1 (UDP: one message per datagram) and §7.2.2 (TCP: each message preceded
 *    by a 4-byte big-endian length whose high bit is reserved).
 *  - RFC 3961 / 3962 / 4757 / 8009: encryption type numbers (1..3 DES, 16 3DES, 17/18 AES-SHA1,
 *    19/20 AES-SHA2, 23 rc4-hmac, 24 rc4-hmac-exp).
 *  - RFC 6113 (FAST: PA-FX-FAST armored request/reply, PA-FX-ERROR, encrypted challenge);
 *    RFC 4556 PKINIT (PA-PK-AS-REQ 16 / PA-PK-AS-REP 17): recognised by type only; [MS-KILE]
 *    PA-PAC-REQUEST (128), [MS-SFU] PA-FOR-USER (129).
 *
 * Wireshark 4.0 (packet-kerberos.c, from kerberos.cnf) is the reference for field names,
 * tree order and the Info column: the first msg-type of a PDU names it ("AS-REQ"), a non-zero
 * error-code replaces that with "KRB Error: <MIT name>". The request's etype list is
 * `kerberos.ENCTYPE`; `kerberos.etype` is each EncryptedData's and ETYPE-INFO(2) entry's etype,
 * in tree order (so a TGS-REQ lists the TGT's and the authenticator's etypes from its
 * PA-TGS-REQ before the body's enc-authorization-data).
 *
 * Records: one KerberosRecord per message; a CredentialRecord for a TGS-REP whose ticket is RC4
 * (Kerberoasting, hashcat 13100) and for an RC4 AS-REP answering a request without
 * pre-authentication (AS-REP roasting, hashcat 18200); a HostFactRecord 'name.kerberos' for the
 * client principal a host used.
 */
import {
  CLASS_APPLICATION,
  CLASS_CONTEXT,
  CLASS_UNIVERSAL,
  DerError,
  DerReader,
  TAG_BIT_STRING,
  TAG_BOOLEAN,
  TAG_GENERALIZED_TIME,
  TAG_INTEGER,
  TAG_OCTET_STRING,
  TAG_SEQUENCE,
  type Tlv,
  int32,
  readBitString,
  readBoolean,
  readGeneralizedTime,
  readString,
  uint32,
} from './der.js';
import type { AppValue, CredentialRecord, Dir, Endpoint, FrameCtx, KerberosRecord, StreamInfo, TcpParser, UdpParser } from './types.js';

/** IANA port for the KDC over UDP and TCP (RFC 4120 §7.2.3). */
export const KERBEROS_PORTS: readonly number[] = [88];

/**
 * Largest TCP message we reassemble. RFC 4120 sets no limit; Windows caps a token at
 * MaxTokenSize (48 000, 65 535 on current releases) and tickets with large PACs stay under
 * that, so 256 KiB covers every real KDC exchange while bounding a lying length.
 */
export const MAX_TCP_MESSAGE = 256 * 1024;
/** Fields per message: a TGS-REQ with FAST armor emits ~60; 2 000 bounds a crafted flood of SEQUENCE OF elements. */
const MAX_FIELDS = 2000;
/** Elements of one SEQUENCE OF (etypes, PA-DATA, names, tickets) we walk; real lists have < 20. */
const MAX_LIST = 256;
/** Nested Kerberos messages (AP-REQ in PA-TGS-REQ, in FAST armor, KRB-ERROR in PA-FX-ERROR): 4 covers every legal chain. */
const MAX_MESSAGE_NESTING = 4;
/** Distinct client principals remembered per conversation for host facts (dedup only). */
const MAX_HOST_FACTS = 64;
/** Name strings kept in a record's principal (RFC 4120 principals have 1–3 components). */
const MAX_NAME_PARTS = 16;

const EMPTY = new Uint8Array(0);

/** RFC 4120 §7.5.7 message types, named as Wireshark's Info column names them. */
const MSG_NAMES: Readonly<Record<number, string>> = {
  1: 'Ticket',
  2: 'Authenticator',
  3: 'EncTicketPart',
  10: 'AS-REQ',
  11: 'AS-REP',
  12: 'TGS-REQ',
  13: 'TGS-REP',
  14: 'AP-REQ',
  15: 'AP-REP',
  20: 'KRB-SAFE',
  21: 'KRB-PRIV',
  22: 'KRB-CRED',
  25: 'EncASRepPart',
  26: 'EncTGSRepPart',
  27: 'EncAPRepPart',
  28: 'EncKrbPrivPart',
  29: 'EncKrbCredPart',
  30: 'KRB-ERROR',
};

/** RFC 4120 §7.5.9 error codes with the MIT names Wireshark's Info column uses. */
const ERROR_NAMES: Readonly<Record<number, string>> = {
  0: 'KRB5KDC_ERR_NONE',
  1: 'KRB5KDC_ERR_NAME_EXP',
  2: 'KRB5KDC_ERR_SERVICE_EXP',
  3: 'KRB5KDC_ERR_BAD_PVNO',
  4: 'KRB5KDC_ERR_C_OLD_MAST_KVNO',
  5: 'KRB5KDC_ERR_S_OLD_MAST_KVNO',
  6: 'KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN',
  7: 'KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN',
  8: 'KRB5KDC_ERR_PRINCIPAL_NOT_UNIQUE',
  9: 'KRB5KDC_ERR_NULL_KEY',
  10: 'KRB5KDC_ERR_CANNOT_POSTDATE',
  11: 'KRB5KDC_ERR_NEVER_VALID',
  12: 'KRB5KDC_ERR_POLICY',
  13: 'KRB5KDC_ERR_BADOPTION',
  14: 'KRB5KDC_ERR_ETYPE_NOSUPP',
  15: 'KRB5KDC_ERR_SUMTYPE_NOSUPP',
  16: 'KRB5KDC_ERR_PADATA_TYPE_NOSUPP',
  17: 'KRB5KDC_ERR_TRTYPE_NOSUPP',
  18: 'KRB5KDC_ERR_CLIENT_REVOKED',
  19: 'KRB5KDC_ERR_SERVICE_REVOKED',
  20: 'KRB5KDC_ERR_TGT_REVOKED',
  21: 'KRB5KDC_ERR_CLIENT_NOTYET',
  22: 'KRB5KDC_ERR_SERVICE_NOTYET',
  23: 'KRB5KDC_ERR_KEY_EXP',
  24: 'KRB5KDC_ERR_PREAUTH_FAILED',
  25: 'KRB5KDC_ERR_PREAUTH_REQUIRED',
  26: 'KRB5KDC_ERR_SERVER_NOMATCH',
  27: 'KRB5KDC_ERR_MUST_USE_USER2USER',
  28: 'KRB5KDC_ERR_PATH_NOT_ACCEPTED',
  29: 'KRB5KDC_ERR_SVC_UNAVAILABLE',
  31: 'KRB5KRB_AP_ERR_BAD_INTEGRITY',
  32: 'KRB5KRB_AP_ERR_TKT_EXPIRED',
  33: 'KRB5KRB_AP_ERR_TKT_NYV',
  34: 'KRB5KRB_AP_ERR_REPEAT',
  35: 'KRB5KRB_AP_ERR_NOT_US',
  36: 'KRB5KRB_AP_ERR_BADMATCH',
  37: 'KRB5KRB_AP_ERR_SKEW',
  38: 'KRB5KRB_AP_ERR_BADADDR',
  39: 'KRB5KRB_AP_ERR_BADVERSION',
  40: 'KRB5KRB_AP_ERR_MSG_TYPE',
  41: 'KRB5KRB_AP_ERR_MODIFIED',
  42: 'KRB5KRB_AP_ERR_BADORDER',
  43: 'KRB5KRB_AP_ERR_ILL_CR_TKT',
  44: 'KRB5KRB_AP_ERR_BADKEYVER',
  45: 'KRB5KRB_AP_ERR_NOKEY',
  46: 'KRB5KRB_AP_ERR_MUT_FAIL',
  47: 'KRB5KRB_AP_ERR_BADDIRECTION',
  48: 'KRB5KRB_AP_ERR_METHOD',
  49: 'KRB5KRB_AP_ERR_BADSEQ',
  50: 'KRB5KRB_AP_ERR_INAPP_CKSUM',
  51: 'KRB5KDC_AP_PATH_NOT_ACCEPTED',
  52: 'KRB5KRB_ERR_RESPONSE_TOO_BIG',
  60: 'KRB5KRB_ERR_GENERIC',
  61: 'KRB5KRB_ERR_FIELD_TOOLONG',
  62: 'KDC_ERROR_CLIENT_NOT_TRUSTED',
  63: 'KDC_ERROR_KDC_NOT_TRUSTED',
  64: 'KDC_ERROR_INVALID_SIG',
  65: 'KDC_ERR_KEY_TOO_WEAK',
  66: 'KDC_ERR_CERTIFICATE_MISMATCH',
  67: 'KRB_AP_ERR_NO_TGT',
  68: 'KDC_ERR_WRONG_REALM',
  69: 'KRB_AP_ERR_USER_TO_USER_REQUIRED',
  70: 'KDC_ERR_CANT_VERIFY_CERTIFICATE',
  71: 'KDC_ERR_INVALID_CERTIFICATE',
  72: 'KDC_ERR_REVOKED_CERTIFICATE',
  73: 'KDC_ERR_REVOCATION_STATUS_UNKNOWN',
  74: 'KDC_ERR_REVOCATION_STATUS_UNAVAILABLE',
  75: 'KDC_ERR_CLIENT_NAME_MISMATCH',
  76: 'KDC_ERR_KDC_NAME_MISMATCH',
};

/** Wireshark's Info text for a message type (val_to_str with "Unknown msg type %#x"). */
export function kerberosMessageName(t: number): string {
  return MSG_NAMES[t] ?? `Unknown msg type ${hexOf(t)}`;
}

/** The MIT name of an error code (what Wireshark's Info column shows after "KRB Error: "). */
export function kerberosErrorName(code: number): string {
  return ERROR_NAMES[code] ?? `Unknown error code ${hexOf(code)}`;
}

/** C's %#x: "0" for zero, else 0x-prefixed lower-case hex of the 32-bit value. */
function hexOf(n: number): string {
  return n === 0 ? '0' : `0x${(n >>> 0).toString(16)}`;
}

// PA-DATA types (RFC 4120 §7.5.2, RFC 6113, RFC 4556, [MS-KILE], [MS-SFU]).
const PA_TGS_REQ = 1;
const PA_ENC_TIMESTAMP = 2;
const PA_ETYPE_INFO = 11;
const PA_PK_AS_REQ_19 = 14;
const PA_PK_AS_REQ = 16;
const PA_ETYPE_INFO2 = 19;
const PA_PAC_REQUEST = 128;
const PA_FOR_USER = 129;
const PA_FX_FAST = 136;
const PA_FX_ERROR = 137;
const PA_ENCRYPTED_CHALLENGE = 138;
/** PA-DATA that authenticate the client to the KDC: a request carrying one is pre-authenticated. */
const PREAUTH_TYPES = new Set([PA_ENC_TIMESTAMP, PA_PK_AS_REQ_19, PA_PK_AS_REQ, PA_FX_FAST, PA_ENCRYPTED_CHALLENGE]);

/** RFC 6113 §5.4.1: armor type 1 = an AP-REQ. */
const FX_FAST_ARMOR_AP_REQUEST = 1;

/**
 * Error codes whose e-data Wireshark 4.0 reads: a single PA-DATA (Windows KDCs put an NT status
 * "salt" there) or METHOD-DATA (a SEQUENCE OF PA-DATA: the pre-authentication the KDC accepts).
 */
const E_DATA_PA_DATA = new Set([13, 18, 23, 12]);
const E_DATA_METHOD_DATA = new Set([24, 25, 14, 68, 90, 91, 92, 93]);

/** RFC 4757: rc4-hmac, the encryption type that makes a ticket cheap to crack offline. */
export const ETYPE_RC4_HMAC = 23;

// ---- Parsed form -------------------------------------------------------------------------

export interface KerberosPrincipal {
  nameType: number;
  names: string[];
}

export interface KerberosEncryptedData {
  etype: number;
  kvno: number | null;
  cipher: Uint8Array;
}

export interface KerberosTicket {
  realm: string | null;
  sname: KerberosPrincipal | null;
  encPart: KerberosEncryptedData | null;
}

/** One top-level message: a summary for records plus every field in Wireshark's tree order. */
export interface KerberosMessage {
  /** APPLICATION tag of the message (10 = AS-REQ, ...). */
  appTag: number;
  /** msg-type field (-1 when absent). */
  msgType: number;
  pvno: number | null;
  /** The message's own PA-DATA types (not those of nested messages). */
  padataTypes: number[];
  cname: KerberosPrincipal | null;
  crealm: string | null;
  sname: KerberosPrincipal | null;
  realm: string | null;
  /** Requested encryption types (KDC-REQ-BODY etype list). */
  requestEtypes: number[];
  /** ETYPE-INFO / ETYPE-INFO2 entries (KDC reply padata or KRB-ERROR e-data). */
  infoEtypes: number[];
  /** The reply's ticket, or the TGT inside a TGS-REQ's PA-TGS-REQ, or an AP-REQ's ticket. */
  ticket: KerberosTicket | null;
  /** KDC-REP / AP-REP / KRB-PRIV enc-part, AP-REQ authenticator. */
  encPart: KerberosEncryptedData | null;
  errorCode: number | null;
  eText: string | null;
  /** Wireshark's Info column for this PDU. */
  info: string;
  /** Every registry field of the PDU, nested messages included, in tree order. */
  fields: [string, AppValue][];
  /** Problems met below the top level (a PA-DATA value that did not parse), already skipped. */
  anomalies: { detail: string; offset: number }[];
}

export interface KerberosParseError {
  error: string;
  offset: number;
}

interface Walk {
  msg: KerberosMessage;
  /** The outermost message is a KDC request (decides how PA-FX-FAST reads, as Wireshark does). */
  kdcReq: boolean;
  /** Wireshark sets Info from the first msg-type only (gbl_do_col_info). */
  infoSet: boolean;
  /** The last non-zero error-code met (nested ones too): Wireshark's Info then reads "KRB Error: ...". */
  infoError: number | null;
  nesting: number;
}

function emptyMessage(appTag: number): KerberosMessage {
  return {
    appTag,
    msgType: -1,
    pvno: null,
    padataTypes: [],
    cname: null,
    crealm: null,
    sname: null,
    realm: null,
    requestEtypes: [],
    infoEtypes: [],
    ticket: null,
    encPart: null,
    errorCode: null,
    eText: null,
    info: '',
    fields: [],
    anomalies: [],
  };
}

/** Application tags Wireshark 4.0 claims as Kerberos on port 88 (KRB-CRED is not among them). */
const CLAIMED = new Set([1, 2, 3, 10, 11, 12, 13, 14, 15, 20, 21, 25, 26, 27, 28, 29, 30]);

/** Whether these bytes start like a Kerberos message (UDP datagram, or TCP after the 4-byte length). */
export function looksLikeKerberos(firstBytes: Uint8Array, transport: 'udp' | 'tcp' = 'udp'): boolean {
  const at = transport === 'tcp' ? 4 : 0;
  const b = firstBytes[at];
  if (b === undefined) return false;
  // [APPLICATION n] constructed, n < 31: 0b011nnnnn.
  if ((b & 0xe0) !== 0x60 || !CLAIMED.has(b & 0x1f)) return false;
  if (transport === 'tcp') {
    const len = ((firstBytes[0]! << 24) | (firstBytes[1]! << 16) | (firstBytes[2]! << 8) | firstBytes[3]!) >>> 0;
    if ((len & 0x7fffffff) > MAX_TCP_MESSAGE || len === 0) return false;
  }
  return true;
}

/**
 * Decodes one message. On an error the fields read up to it are kept (Wireshark shows the tree
 * up to the bad element); `error` says where it stopped. Never throws.
 */
export function decodeKerberos(bytes: Uint8Array): { msg: KerberosMessage | null; error: KerberosParseError | null } {
  const r = new DerReader(bytes);
  let app: Tlv;
  try {
    app = r.peek();
  } catch (e) {
    return { msg: null, error: asError(e) };
  }
  if (app.cls !== CLASS_APPLICATION || !app.constructed || !CLAIMED.has(app.tag)) {
    return { msg: null, error: { error: 'not a Kerberos message (no APPLICATION tag of a known message)', offset: 0 } };
  }
  const msg = emptyMessage(app.tag);
  const w: Walk = { msg, kdcReq: app.tag === 10 || app.tag === 12, infoSet: false, infoError: null, nesting: 0 };
  try {
    application(r, w, msg);
    if (!r.done) msg.anomalies.push({ detail: `${bytes.length - r.offset} bytes after the message`, offset: r.offset });
  } catch (e) {
    finishInfo(w);
    return { msg, error: asError(e) };
  }
  finishInfo(w);
  return { msg, error: null };
}

/** Decodes one message (a UDP datagram, or a TCP record without its length). */
export function parseKerberos(bytes: Uint8Array): KerberosMessage | KerberosParseError {
  const { msg, error } = decodeKerberos(bytes);
  if (error !== null || msg === null) return error ?? { error: 'not a Kerberos message', offset: 0 };
  return msg;
}

function asError(e: unknown): KerberosParseError {
  if (e instanceof DerError) return { error: `${e.kind}: ${e.message}`, offset: e.offset };
  if (e instanceof KrbLimit) return { error: e.message, offset: -1 };
  return { error: `internal error: ${e instanceof Error ? e.message : String(e)}`, offset: -1 };
}

class KrbLimit extends Error {}

function finishInfo(w: Walk): void {
  if (w.infoError !== null) w.msg.info = `KRB Error: ${kerberosErrorName(w.infoError)}`;
}

// ---- The walk ------------------------------------------------------------------------------

function field(w: Walk, name: string, value: AppValue): void {
  if (w.msg.fields.length >= MAX_FIELDS) throw new KrbLimit(`more than ${MAX_FIELDS} fields in one message`);
  w.msg.fields.push([name, value]);
}

/** The next element of a SEQUENCE must be context-specific [n] EXPLICIT: returns a reader over its one inner element. */
function inner(r: DerReader, t: Tlv): DerReader {
  return r.enter(t);
}

function uni(r: DerReader, tag: number): Uint8Array {
  return r.value(r.expect(CLASS_UNIVERSAL, tag));
}

/** A character string of any universal string type (Kerberos sends GeneralString; be lenient as Wireshark is). */
function str(r: DerReader): string {
  const t = r.next();
  if (t.cls !== CLASS_UNIVERSAL || t.constructed) throw new DerError('malformed', t.start, `expected a string, found ${t.cls}/${t.tag}`);
  return readString(r.value(t));
}

function i32(r: DerReader): number {
  const t = r.expect(CLASS_UNIVERSAL, TAG_INTEGER);
  return int32(r.value(t), t.start);
}

function u32(r: DerReader): number {
  const t = r.expect(CLASS_UNIVERSAL, TAG_INTEGER);
  return uint32(r.value(t), t.start);
}

function time(r: DerReader): number {
  const t = r.expect(CLASS_UNIVERSAL, TAG_GENERALIZED_TIME);
  return readGeneralizedTime(r.value(t), t.start);
}

/** Elements of a SEQUENCE (OF), the SEQUENCE header read from `r`. */
function* elements(r: DerReader): Generator<[DerReader, Tlv]> {
  const seq = r.enter(r.expect(CLASS_UNIVERSAL, TAG_SEQUENCE));
  for (let n = 0; !seq.done; n++) {
    if (n >= MAX_LIST) throw new KrbLimit(`more than ${MAX_LIST} elements in one SEQUENCE`);
    yield [seq, seq.next()];
  }
}

/** Context-tagged members of a SEQUENCE, in encoding order (Wireshark's tree order); others are skipped. */
function* members(r: DerReader, w: Walk): Generator<[number, DerReader]> {
  for (const [seq, t] of elements(r)) {
    if (t.cls !== CLASS_CONTEXT) {
      w.msg.anomalies.push({ detail: `unexpected ${t.cls}/${t.tag} in a SEQUENCE`, offset: t.start });
      continue;
    }
    yield [t.tag, inner(seq, t)];
  }
}

/** One [APPLICATION n] message at `r`; `m` receives the summary (a scratch object for nested ones). */
function application(r: DerReader, w: Walk, m: KerberosMessage): void {
  const app = r.next();
  if (app.cls !== CLASS_APPLICATION) throw new DerError('malformed', app.start, 'expected an APPLICATION-tagged Kerberos message');
  const body = r.enter(app);
  switch (app.tag) {
    case 10:
    case 12:
      kdcReq(body, w, m);
      break;
    case 11:
    case 13:
      kdcRep(body, w, m);
      break;
    case 14:
      apReq(body, w, m);
      break;
    case 15:
    case 20:
    case 21:
      simple(body, w, m);
      break;
    case 30:
      krbError(body, w, m);
      break;
    case 1: {
      m.ticket = ticketBody(body, w);
      break;
    }
    default:
      // Encrypted-part types (2, 3, 25–29) never travel in the clear; nothing to show.
      break;
  }
}

function pvno(r: DerReader, w: Walk, m: KerberosMessage): void {
  const v = u32(r);
  m.pvno = v;
  field(w, 'kerberos.pvno', v);
}

function msgType(r: DerReader, w: Walk, m: KerberosMessage): void {
  const v = i32(r);
  m.msgType = v;
  field(w, 'kerberos.msg_type', v);
  if (!w.infoSet) {
    w.infoSet = true;
    w.msg.info = kerberosMessageName(v);
  }
}

/** RFC 4120 §5.4.1 KDC-REQ: pvno [1], msg-type [2], padata [3], req-body [4]. */
function kdcReq(r: DerReader, w: Walk, m: KerberosMessage): void {
  for (const [tag, v] of members(r, w)) {
    if (tag === 1) pvno(v, w, m);
    else if (tag === 2) msgType(v, w, m);
    else if (tag === 3) padataList(v, w, m);
    else if (tag === 4) reqBody(v, w, m);
  }
}

/**
 * KDC-REQ-BODY: kdc-options [0], cname [1], realm [2], sname [3], from [4], till [5], rtime [6],
 * nonce [7], etype [8], addresses [9], enc-authorization-data [10], additional-tickets [11].
 */
function reqBody(r: DerReader, w: Walk, m: KerberosMessage): void {
  for (const [tag, v] of members(r, w)) {
    switch (tag) {
      case 0: {
        const t = v.expect(CLASS_UNIVERSAL, TAG_BIT_STRING);
        field(w, 'kerberos.kdc_options', readBitString(v.value(t), t.start).slice());
        break;
      }
      case 1:
        m.cname = principal(v, w, 'kerberos.CNameString');
        break;
      case 2:
        m.realm = str(v);
        field(w, 'kerberos.realm', m.realm);
        break;
      case 3:
        m.sname = principal(v, w, 'kerberos.SNameString');
        break;
      case 4:
        field(w, 'kerberos.from', time(v));
        break;
      case 5:
        field(w, 'kerberos.till', time(v));
        break;
      case 6:
        field(w, 'kerberos.rtime', time(v));
        break;
      case 7:
        field(w, 'kerberos.nonce', u32(v));
        break;
      case 8:
        for (const [seq, t] of elements(v)) {
          if (t.cls !== CLASS_UNIVERSAL || t.tag !== TAG_INTEGER) continue;
          const e = int32(seq.value(t), t.start);
          m.requestEtypes.push(e);
          field(w, 'kerberos.ENCTYPE', e);
        }
        break;
      case 10:
        encryptedData(v, w);
        break;
      case 11:
        for (const [seq, t] of elements(v)) {
          if (t.cls !== CLASS_APPLICATION || t.tag !== 1) continue;
          ticketBody(seq.enter(t), w);
        }
        break;
      default:
        // addresses [9]: HostAddresses carry no field we emit.
        break;
    }
  }
}

/** RFC 4120 §5.4.2 KDC-REP: pvno [0], msg-type [1], padata [2], crealm [3], cname [4], ticket [5], enc-part [6]. */
function kdcRep(r: DerReader, w: Walk, m: KerberosMessage): void {
  for (const [tag, v] of members(r, w)) {
    switch (tag) {
      case 0:
        pvno(v, w, m);
        break;
      case 1:
        msgType(v, w, m);
        break;
      case 2:
        padataList(v, w, m);
        break;
      case 3:
        m.crealm = str(v);
        field(w, 'kerberos.crealm', m.crealm);
        break;
      case 4:
        m.cname = principal(v, w, 'kerberos.CNameString');
        break;
      case 5:
        m.ticket = ticket(v, w);
        break;
      case 6:
        m.encPart = encryptedData(v, w);
        break;
    }
  }
}

/** RFC 4120 §5.5.1 AP-REQ: pvno [0], msg-type [1], ap-options [2], ticket [3], authenticator [4]. */
function apReq(r: DerReader, w: Walk, m: KerberosMessage): void {
  for (const [tag, v] of members(r, w)) {
    switch (tag) {
      case 0:
        pvno(v, w, m);
        break;
      case 1:
        msgType(v, w, m);
        break;
      case 2: {
        const t = v.expect(CLASS_UNIVERSAL, TAG_BIT_STRING);
        field(w, 'kerberos.ap_options', readBitString(v.value(t), t.start).slice());
        break;
      }
      case 3:
        m.ticket = ticket(v, w);
        break;
      case 4:
        m.encPart = encryptedData(v, w);
        break;
    }
  }
}

/** AP-REP (§5.5.2: enc-part [2]), KRB-SAFE (§5.6.1) and KRB-PRIV (§5.7.1: enc-part [3]): pvno, msg-type, encrypted part. */
function simple(r: DerReader, w: Walk, m: KerberosMessage): void {
  const encTag = m.appTag === 15 ? 2 : m.appTag === 21 ? 3 : -1;
  for (const [tag, v] of members(r, w)) {
    if (tag === 0) pvno(v, w, m);
    else if (tag === 1) msgType(v, w, m);
    else if (tag === encTag) m.encPart = encryptedData(v, w);
  }
}

/**
 * RFC 4120 §5.9.1 KRB-ERROR: pvno [0], msg-type [1], ctime [2], cusec [3], stime [4], susec [5],
 * error-code [6], crealm [7], cname [8], realm [9], sname [10], e-text [11], e-data [12].
 * ctime/cusec are not emitted (PKINIT's AuthPack, which we do not open, also carries kerberos.ctime).
 */
function krbError(r: DerReader, w: Walk, m: KerberosMessage): void {
  for (const [tag, v] of members(r, w)) {
    switch (tag) {
      case 0:
        pvno(v, w, m);
        break;
      case 1:
        msgType(v, w, m);
        break;
      case 4:
        field(w, 'kerberos.stime', time(v));
        break;
      case 5:
        field(w, 'kerberos.susec', u32(v));
        break;
      case 6: {
        const code = i32(v);
        m.errorCode = code;
        field(w, 'kerberos.error_code', code);
        // Wireshark rewrites Info on every non-zero error code, nested ones included.
        if (code !== 0) w.infoError = code;
        break;
      }
      case 7:
        m.crealm = str(v);
        field(w, 'kerberos.crealm', m.crealm);
        break;
      case 8:
        m.cname = principal(v, w, 'kerberos.CNameString');
        break;
      case 9:
        m.realm = str(v);
        field(w, 'kerberos.realm', m.realm);
        break;
      case 10:
        m.sname = principal(v, w, 'kerberos.SNameString');
        break;
      case 11:
        m.eText = str(v);
        field(w, 'kerberos.e_text', m.eText);
        break;
      case 12: {
        const t = v.expect(CLASS_UNIVERSAL, TAG_OCTET_STRING);
        const code = m.errorCode ?? 0;
        if (E_DATA_PA_DATA.has(code)) sub(w, () => paData(new DerReader(v.bytes, t.valueStart, t.end, v.depth + 1), w, m));
        else if (E_DATA_METHOD_DATA.has(code)) sub(w, () => padataList(new DerReader(v.bytes, t.valueStart, t.end, v.depth + 1), w, m));
        break;
      }
    }
  }
}

/** PrincipalName (§5.2.2): name-type [0], name-string [1] SEQUENCE OF KerberosString. */
function principal(r: DerReader, w: Walk, stringField: string): KerberosPrincipal {
  const p: KerberosPrincipal = { nameType: 0, names: [] };
  for (const [tag, v] of members(r, w)) {
    if (tag === 0) {
      p.nameType = i32(v);
      field(w, 'kerberos.name_type', p.nameType);
    } else if (tag === 1) {
      for (const [seq, t] of elements(v)) {
        if (t.cls !== CLASS_UNIVERSAL || t.constructed) continue;
        const s = readString(seq.value(t));
        if (p.names.length < MAX_NAME_PARTS) p.names.push(s);
        field(w, stringField, s);
      }
    }
  }
  return p;
}

/** EncryptedData (§5.2.9): etype [0], kvno [1] OPTIONAL, cipher [2]. */
function encryptedData(r: DerReader, w: Walk): KerberosEncryptedData {
  const d: KerberosEncryptedData = { etype: 0, kvno: null, cipher: EMPTY };
  for (const [tag, v] of members(r, w)) {
    if (tag === 0) {
      d.etype = i32(v);
      field(w, 'kerberos.etype', d.etype);
    } else if (tag === 1) {
      d.kvno = u32(v);
      field(w, 'kerberos.kvno', d.kvno);
    } else if (tag === 2) {
      d.cipher = uni(v, TAG_OCTET_STRING).slice();
      field(w, 'kerberos.cipher', d.cipher);
    }
  }
  return d;
}

/** Ticket ::= [APPLICATION 1] SEQUENCE (§5.3), inside an explicit context tag. */
function ticket(r: DerReader, w: Walk): KerberosTicket {
  const t = r.expect(CLASS_APPLICATION, 1);
  return ticketBody(r.enter(t), w);
}

/** tkt-vno [0], realm [1], sname [2], enc-part [3]. */
function ticketBody(r: DerReader, w: Walk): KerberosTicket {
  const tk: KerberosTicket = { realm: null, sname: null, encPart: null };
  for (const [tag, v] of members(r, w)) {
    if (tag === 0) field(w, 'kerberos.tkt_vno', u32(v));
    else if (tag === 1) {
      tk.realm = str(v);
      field(w, 'kerberos.realm', tk.realm);
    } else if (tag === 2) tk.sname = principal(v, w, 'kerberos.SNameString');
    else if (tag === 3) tk.encPart = encryptedData(v, w);
  }
  return tk;
}

/** SEQUENCE OF PA-DATA (METHOD-DATA). */
function padataList(r: DerReader, w: Walk, m: KerberosMessage): void {
  for (const [seq, t] of elements(r)) {
    if (t.cls !== CLASS_UNIVERSAL || t.tag !== TAG_SEQUENCE) {
      w.msg.anomalies.push({ detail: 'PA-DATA that is not a SEQUENCE', offset: t.start });
      continue;
    }
    paData(new DerReader(seq.bytes, t.start, t.end, seq.depth), w, m);
  }
}

/** PA-DATA (§5.2.7): padata-type [1], padata-value [2] OCTET STRING, read by type as Wireshark 4.0 does. */
function paData(r: DerReader, w: Walk, m: KerberosMessage): void {
  let type = -1;
  for (const [tag, v] of members(r, w)) {
    if (tag === 1) {
      type = i32(v);
      if (m.padataTypes.length < MAX_LIST) m.padataTypes.push(type);
      field(w, 'kerberos.padata_type', type);
    } else if (tag === 2) {
      const t = v.expect(CLASS_UNIVERSAL, TAG_OCTET_STRING);
      if (t.end > t.valueStart) sub(w, () => paValue(type, new DerReader(v.bytes, t.valueStart, t.end, v.depth + 1), w, m));
    } else {
      // Wireshark: "Wrong field in SEQUENCE"; the rest of the PA-DATA is not read.
      break;
    }
  }
}

/**
 * Runs a sub-dissector over an OCTET STRING's contents. Like Wireshark's BER sub-dissection,
 * a problem inside it is reported and the enclosing message goes on.
 */
function sub(w: Walk, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof DerError)) throw e;
    w.msg.anomalies.push({ detail: `${e.kind}: ${e.message}`, offset: e.offset });
  }
}

function paValue(type: number, r: DerReader, w: Walk, m: KerberosMessage): void {
  switch (type) {
    case PA_TGS_REQ:
    case PA_FX_ERROR: {
      // The AP-REQ carrying the TGT (RFC 4120 §5.4.1) / a KRB-ERROR inside FAST (RFC 6113 §5.4.4).
      const nested = nestedMessage(r, w);
      if (type === PA_TGS_REQ && nested !== null && m.ticket === null) m.ticket = nested.ticket;
      break;
    }
    case PA_ENC_TIMESTAMP:
    case PA_ENCRYPTED_CHALLENGE:
      encryptedData(r, w);
      break;
    case PA_ETYPE_INFO:
    case PA_ETYPE_INFO2:
      // ETYPE-INFO-ENTRY: etype [0], salt [1] OCTET STRING; ETYPE-INFO2-ENTRY: etype [0], salt [1] KerberosString, s2kparams [2].
      for (const [seq, t] of elements(r)) {
        if (t.cls !== CLASS_UNIVERSAL || t.tag !== TAG_SEQUENCE) continue;
        for (const [tag, v] of members(new DerReader(seq.bytes, t.start, t.end, seq.depth), w)) {
          if (tag === 0) {
            const e = i32(v);
            if (w.msg.infoEtypes.length < MAX_LIST) w.msg.infoEtypes.push(e);
            field(w, 'kerberos.etype', e);
          } else if (tag === 1 && type === PA_ETYPE_INFO2) {
            field(w, 'kerberos.info2_salt', str(v));
          }
        }
      }
      break;
    case PA_PAC_REQUEST:
      // [MS-KILE] §2.2.3 KERB-PA-PAC-REQUEST: include-pac [0] BOOLEAN.
      for (const [tag, v] of members(r, w)) {
        if (tag === 0) {
          const t = v.expect(CLASS_UNIVERSAL, TAG_BOOLEAN);
          field(w, 'kerberos.include_pac', readBoolean(v.value(t), t.start) ? 1 : 0);
        }
      }
      break;
    case PA_FOR_USER:
      // [MS-SFU] §2.2.1 PA-FOR-USER: userName [0] PrincipalName, userRealm [1], cksum [2], auth-package [3].
      for (const [tag, v] of members(r, w)) {
        if (tag === 0) principal(v, w, 'kerberos.KerberosString');
        else if (tag === 1) field(w, 'kerberos.realm', str(v));
      }
      break;
    case PA_FX_FAST:
      fxFast(r, w);
      break;
    case PA_PK_AS_REQ:
      pkAsReqPrincipals(r, w);
      break;
    default:
      // PKINIT replies (15, 17), PA-PKINIT-KX, PA-REQ-ENC-PA-REP, cookies, ...: recognised by type only.
      break;
  }
}

/**
 * RFC 6113 §5.4.2: PA-FX-FAST-REQUEST ::= CHOICE { armored-data [0] KrbFastArmoredReq } with
 * armor [0] (armor-type [0], armor-value [1]: an AP-REQ for type 1), req-checksum [1],
 * enc-fast-req [2]; PA-FX-FAST-REPLY ::= CHOICE { armored-data [0] KrbFastArmoredRep } with
 * enc-fast-rep [0].
 */
function fxFast(r: DerReader, w: Walk): void {
  const choice = r.next();
  if (choice.cls !== CLASS_CONTEXT || choice.tag !== 0) return;
  const armored = r.enter(choice);
  for (const [tag, v] of members(armored, w)) {
    if (!w.kdcReq) {
      if (tag === 0) encryptedData(v, w);
      continue;
    }
    if (tag === 0) {
      let armorType = -1;
      for (const [atag, av] of members(v, w)) {
        if (atag === 0) armorType = i32(av);
        else if (atag === 1) {
          const t = av.expect(CLASS_UNIVERSAL, TAG_OCTET_STRING);
          if (armorType === FX_FAST_ARMOR_AP_REQUEST)
            sub(w, () => void nestedMessage(new DerReader(av.bytes, t.valueStart, t.end, av.depth + 1), w));
        }
      }
    } else if (tag === 2) {
      encryptedData(v, w);
    }
  }
}

/** X.509 subjectAltName (RFC 5280 §4.2.1.6) and PKINIT's id-pkinit-san otherName (RFC 4556 §3.2.2), DER-encoded OIDs. */
const OID_SUBJECT_ALT_NAME = Uint8Array.of(0x55, 0x1d, 0x11);
const OID_PKINIT_SAN = Uint8Array.of(0x2b, 0x06, 0x01, 0x05, 0x02, 0x02);
const TAG_OID = 6;
/** Certificates in one PA-PK-AS-REQ we look into (a client sends its own and maybe a chain of 2–3). */
const MAX_CERTS = 8;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * PKINIT is recognised, not dissected — except for what Wireshark shows as Kerberos fields in
 * it: the client certificate's id-pkinit-san (the principal the certificate claims, RFC 4556
 * §3.2.2), which Wireshark emits as kerberos.realm, name_type and KerberosString. Walk:
 * PA-PK-AS-REQ { signedAuthPack [0] IMPLICIT ContentInfo { OID, [0] SignedData { version,
 * digestAlgorithms, encapContentInfo, certificates [0] IMPLICIT SET OF Certificate, ... } } }.
 */
function pkAsReqPrincipals(r: DerReader, w: Walk): void {
  const outer = r.expect(CLASS_UNIVERSAL, TAG_SEQUENCE);
  const req = r.enter(outer);
  const packed = req.next();
  if (packed.cls !== CLASS_CONTEXT || packed.tag !== 0) return;
  // [0] IMPLICIT OCTET STRING holding a ContentInfo: read its contents as DER.
  const ci = new DerReader(req.bytes, packed.valueStart, packed.end, req.depth + 1);
  const contentInfo = ci.enter(ci.expect(CLASS_UNIVERSAL, TAG_SEQUENCE));
  contentInfo.expect(CLASS_UNIVERSAL, TAG_OID);
  const wrapped = contentInfo.next();
  if (wrapped.cls !== CLASS_CONTEXT || wrapped.tag !== 0) return;
  const inner0 = contentInfo.enter(wrapped);
  const signedData = inner0.enter(inner0.expect(CLASS_UNIVERSAL, TAG_SEQUENCE));
  for (let n = 0; !signedData.done && n < 8; n++) {
    const t = signedData.next();
    if (t.cls !== CLASS_CONTEXT || t.tag !== 0 || !t.constructed) continue;
    const certs = signedData.enter(t);
    for (let c = 0; !certs.done && c < MAX_CERTS; c++) {
      const cert = certs.next();
      if (cert.cls === CLASS_UNIVERSAL && cert.tag === TAG_SEQUENCE) certificateSan(certs.enter(cert), w);
    }
    return;
  }
}

/** Certificate { tbsCertificate { ..., extensions [3] }, ... }: emit each id-pkinit-san principal. */
function certificateSan(cert: DerReader, w: Walk): void {
  const tbsT = cert.expect(CLASS_UNIVERSAL, TAG_SEQUENCE);
  const tbs = cert.enter(tbsT);
  for (let n = 0; !tbs.done && n < 16; n++) {
    const t = tbs.next();
    if (t.cls !== CLASS_CONTEXT || t.tag !== 3) continue;
    const exts = tbs.enter(t);
    for (const [seq, e] of elements(exts)) {
      if (e.cls !== CLASS_UNIVERSAL || e.tag !== TAG_SEQUENCE) continue;
      const ext = seq.enter(e);
      const oid = ext.value(ext.expect(CLASS_UNIVERSAL, TAG_OID));
      if (!sameBytes(oid, OID_SUBJECT_ALT_NAME)) continue;
      let v = ext.next();
      if (v.cls === CLASS_UNIVERSAL && v.tag === TAG_BOOLEAN) v = ext.next();
      if (v.cls !== CLASS_UNIVERSAL || v.tag !== TAG_OCTET_STRING) continue;
      const names = new DerReader(ext.bytes, v.valueStart, v.end, ext.depth + 1);
      for (const [gseq, g] of elements(names)) {
        // otherName [0] IMPLICIT SEQUENCE { type-id OID, value [0] EXPLICIT ANY }.
        if (g.cls !== CLASS_CONTEXT || g.tag !== 0 || !g.constructed) continue;
        const other = gseq.enter(g);
        if (!sameBytes(other.value(other.expect(CLASS_UNIVERSAL, TAG_OID)), OID_PKINIT_SAN)) continue;
        const val = other.next();
        if (val.cls !== CLASS_CONTEXT || val.tag !== 0) continue;
        // KRB5PrincipalName ::= SEQUENCE { realm [0] Realm, principalName [1] PrincipalName }.
        for (const [tag, kv] of members(other.enter(val), w)) {
          if (tag === 0) field(w, 'kerberos.realm', str(kv));
          else if (tag === 1) principal(kv, w, 'kerberos.KerberosString');
        }
      }
    }
  }
}

function nestedMessage(r: DerReader, w: Walk): KerberosMessage | null {
  if (w.nesting >= MAX_MESSAGE_NESTING) throw new KrbLimit(`Kerberos messages nested deeper than ${MAX_MESSAGE_NESTING}`);
  const t = r.peek();
  if (t.cls !== CLASS_APPLICATION) return null;
  const m = emptyMessage(t.tag);
  w.nesting++;
  try {
    application(r, w, m);
  } finally {
    w.nesting--;
  }
  return m;
}

// ---- Emitting --------------------------------------------------------------------------

function principalText(p: KerberosPrincipal | null): string | null {
  return p === null ? null : p.names.join('/');
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function endpointText(e: Endpoint): string {
  return e.addr.includes(':') ? `[${e.addr}]:${e.port}` : `${e.addr}:${e.port}`;
}

/** Per-conversation state shared by the UDP and TCP parsers. */
class KerberosConversation {
  /** Pre-authentication of the last AS-REQ seen per direction of sending (null: none seen). */
  private lastAsReqPreauth: boolean | null = null;
  private readonly facts = new Set<string>();

  constructor(
    private readonly info: StreamInfo,
    private readonly transport: 'udp' | 'tcp',
  ) {}

  /** Emits one decoded PDU (fields already prefixed with the TCP record mark when `rm` is given). */
  emit(dir: Dir, bytes: Uint8Array, ctx: FrameCtx, rm: number | null): void {
    const sink = ctx.sink;
    const { msg, error } = decodeKerberos(bytes);
    sink.field('kerberos', EMPTY);
    if (rm !== null) {
      sink.field('kerberos.rm.reserved', rm >>> 31);
      sink.field('kerberos.rm.length', rm & 0x7fffffff);
    }
    if (msg === null) {
      sink.columns('KRB5', '');
      sink.anomaly('kerberos', `Kerberos: ${error?.error ?? 'not a Kerberos message'}`, error?.offset ?? 0);
      return;
    }
    for (const [n, v] of msg.fields) sink.field(n, v);
    sink.columns('KRB5', msg.info);
    for (const a of msg.anomalies) sink.anomaly('kerberos', `Kerberos: ${a.detail}`, a.offset);
    if (error !== null) sink.anomaly('kerberos', `Kerberos: ${error.error}`, error.offset);
    this.records(dir, msg, ctx);
  }

  private records(dir: Dir, m: KerberosMessage, ctx: FrameCtx): void {
    const sink = ctx.sink;
    const type = m.msgType >= 0 ? m.msgType : m.appTag;
    const isRequest = type === 10 || type === 12 || type === 14;
    // The Kerberos client is whoever sent a request, or received anything else.
    const fromA = dir === 0;
    const senderEnd = fromA ? this.info.client : this.info.server;
    const receiverEnd = fromA ? this.info.server : this.info.client;
    const clientEnd = isRequest ? senderEnd : receiverEnd;
    const serverEnd = isRequest ? receiverEnd : senderEnd;
    const ticketEtype = m.ticket?.encPart?.etype ?? null;
    const etypes = isRequest
      ? m.requestEtypes.slice(0, MAX_LIST)
      : type === 30
        ? m.infoEtypes.slice(0, MAX_LIST)
        : [ticketEtype, m.encPart?.etype ?? null].filter((e): e is number => e !== null);
    const rec: KerberosRecord = {
      kind: 'kerberos',
      frame: ctx.frame,
      stream: this.info.stream,
      transport: this.transport,
      msgType: MSG_NAMES[type] ?? `msg-type ${type}`,
      cname: principalText(m.cname),
      crealm: m.crealm,
      // A reply names the service in its ticket; a request and an error in their own sname.
      sname: principalText(m.sname ?? (type === 11 || type === 13 ? (m.ticket?.sname ?? null) : null)),
      realm: m.realm ?? (type === 11 || type === 13 ? (m.ticket?.realm ?? null) : null),
      etypes,
      ticketEtype,
      errorCode: m.errorCode,
      errorName: m.errorCode === null ? null : (ERROR_NAMES[m.errorCode] ?? null),
    };
    sink.record(rec);

    if (type === 10) this.lastAsReqPreauth = m.padataTypes.some((p) => PREAUTH_TYPES.has(p));

    // name.kerberos: the principal a host authenticated as (AS-REQ names it; replies confirm it).
    if ((type === 10 || type === 11 || type === 13) && m.cname !== null && m.cname.names.length > 0) {
      const realm = type === 10 ? m.realm : m.crealm;
      const value = realm ? `${principalText(m.cname)}@${realm}` : (principalText(m.cname) ?? '');
      const key = `${clientEnd.addr}\u0000${value}`;
      if (!this.facts.has(key) && this.facts.size < MAX_HOST_FACTS) {
        this.facts.add(key);
        sink.record({
          kind: 'host.fact',
          frame: ctx.frame,
          addr: clientEnd.addr,
          fact: 'name.kerberos',
          value,
          source: `Kerberos ${MSG_NAMES[type]} cname`,
        });
      }
    }

    const cred = (user: string, domain: string | null, crackable: string): void => {
      const c: CredentialRecord = {
        kind: 'credential',
        frame: ctx.frame,
        stream: this.info.stream,
        protocol: 'kerberos',
        client: endpointText(clientEnd),
        server: endpointText(serverEnd),
        user,
        domain,
        secret: null,
        crackable,
        success: null,
      };
      sink.record(c);
    };

    // Kerberoasting: an RC4 service ticket is encrypted with the service account's NT hash.
    // user = the service principal (the account whose password the hash protects); hashcat 13100
    // takes `$krb5tgs$23$*user$realm$spn*$checksum$edata2`, checksum = the cipher's first 16 bytes
    // (the RFC 4757 HMAC), edata2 = the rest. ':' in an SPN becomes '~' (hashcat's separator).
    if (type === 13 && m.ticket?.encPart && m.ticket.encPart.etype === ETYPE_RC4_HMAC && m.ticket.encPart.cipher.length > 16) {
      const spn = (principalText(m.ticket.sname) ?? '').replaceAll(':', '~').replaceAll('*', '');
      const realm = m.ticket.realm ?? m.crealm ?? '';
      const c = m.ticket.encPart.cipher;
      cred(spn, realm || null, `$krb5tgs$23$*${spn}$${realm}$${spn}*$${hex(c.subarray(0, 16))}$${hex(c.subarray(16))}`);
    }
    // AS-REP roasting: the reply's enc-part is encrypted with the client's key. user = the client
    // principal; hashcat 18200 `$krb5asrep$23$user@realm:checksum$edata2`. Only when the AS-REQ we
    // saw carried no pre-authentication, or none was seen (a reply alone still exposes the hash).
    if (type === 11 && m.encPart && m.encPart.etype === ETYPE_RC4_HMAC && m.encPart.cipher.length > 16 && this.lastAsReqPreauth !== true) {
      const user = principalText(m.cname) ?? '';
      const realm = m.crealm ?? '';
      const c = m.encPart.cipher;
      cred(user, realm || null, `$krb5asrep$23$${user}@${realm}:${hex(c.subarray(0, 16))}$${hex(c.subarray(16))}`);
    }
    if (type === 11 || type === 30) this.lastAsReqPreauth = null;
  }
}

// ---- Transports ------------------------------------------------------------------------

/** Kerberos over UDP (RFC 4120 §7.2.1): one message per datagram. */
export class KerberosUdpParser implements UdpParser {
  private readonly conv: KerberosConversation;

  constructor(info: StreamInfo) {
    this.conv = new KerberosConversation(info, 'udp');
  }

  datagram(dir: Dir, bytes: Uint8Array, ctx: FrameCtx): void {
    try {
      const b = bytes[0];
      // Wireshark leaves a datagram without a Kerberos APPLICATION tag to the data dissector.
      if (b === undefined || (b & 0xe0) !== 0x60 || !CLAIMED.has(b & 0x1f)) {
        ctx.sink.anomaly('kerberos', 'Kerberos: datagram on the Kerberos port is not a Kerberos message', 0);
        return;
      }
      this.conv.emit(dir, bytes, ctx, null);
    } catch (e) {
      ctx.sink.anomaly('kerberos', `Kerberos: internal error: ${e instanceof Error ? e.message : String(e)}`, -1);
    }
  }
}

/** Kerberos over TCP (RFC 4120 §7.2.2): a 4-byte big-endian record mark (high bit reserved) before each message. */
export class KerberosTcpParser implements TcpParser {
  private readonly conv: KerberosConversation;
  /** Per direction: the record mark + message being collected (copied: views die with the call). */
  private readonly buf: [Uint8Array | null, Uint8Array | null] = [null, null];
  private readonly head: [Uint8Array, Uint8Array] = [new Uint8Array(4), new Uint8Array(4)];
  private readonly fill: [number, number] = [0, 0];
  /** A direction that lost bytes or broke the cap: the framing has no sync marker to find again. */
  private readonly dead: [boolean, boolean] = [false, false];

  constructor(info: StreamInfo) {
    this.conv = new KerberosConversation(info, 'tcp');
  }

  data(dir: Dir, bytes: Uint8Array, ctx: FrameCtx): void {
    try {
      this.take(dir, bytes, ctx);
    } catch (e) {
      this.dead[dir] = true;
      ctx.sink.anomaly('kerberos', `Kerberos: internal error: ${e instanceof Error ? e.message : String(e)}`, -1);
    }
  }

  private take(dir: Dir, bytes: Uint8Array, ctx: FrameCtx): void {
    let i = 0;
    while (i < bytes.length && !this.dead[dir]) {
      const head = this.head[dir];
      let fill = this.fill[dir];
      if (fill < 4) {
        const n = Math.min(4 - fill, bytes.length - i);
        head.set(bytes.subarray(i, i + n), fill);
        fill += n;
        i += n;
        this.fill[dir] = fill;
        if (fill < 4) return;
        const rm = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
        const len = rm & 0x7fffffff;
        if (len > MAX_TCP_MESSAGE) {
          this.dead[dir] = true;
          this.fill[dir] = 0;
          ctx.sink.anomaly(
            'kerberos',
            `Kerberos over TCP: record of ${len} bytes exceeds the ${MAX_TCP_MESSAGE}-byte cap; rest of this direction not analysed`,
            0,
          );
          return;
        }
        // Fast path: the whole message is in this segment — no copy.
        if (bytes.length - i >= len) {
          this.fill[dir] = 0;
          this.conv.emit(dir, bytes.subarray(i, i + len), ctx, rm);
          i += len;
          continue;
        }
        this.buf[dir] = new Uint8Array(len);
      }
      const buf = this.buf[dir]!;
      const have = this.fill[dir] - 4;
      const n = Math.min(buf.length - have, bytes.length - i);
      buf.set(bytes.subarray(i, i + n), have);
      i += n;
      this.fill[dir] += n;
      if (have + n === buf.length) {
        const rm = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
        this.fill[dir] = 0;
        this.buf[dir] = null;
        this.conv.emit(dir, buf, ctx, rm);
      }
    }
  }

  gap(dir: Dir, length: number, ctx: FrameCtx): void {
    if (this.dead[dir]) return;
    this.dead[dir] = true;
    this.fill[dir] = 0;
    this.buf[dir] = null;
    ctx.sink.anomaly(
      'kerberos',
      `Kerberos over TCP: ${length} bytes missing; message boundaries lost, rest of this direction not analysed`,
      -1,
    );
  }

  end(dir: Dir, ctx: FrameCtx | null): void {
    if (this.fill[dir] > 0 && !this.dead[dir] && ctx !== null) {
      ctx.sink.anomaly('kerberos', `Kerberos over TCP: stream ended inside a message (${this.fill[dir]} bytes buffered)`, -1);
    }
    this.fill[dir] = 0;
    this.buf[dir] = null;
  }
}
