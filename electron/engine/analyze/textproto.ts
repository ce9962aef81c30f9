/**
 * Line-based mail and file-transfer protocols: FTP, SMTP, POP3 and IMAP command/response
 * lines over reassembled TCP bytes, with the logins they carry.
 *
 * References:
 *  - FTP: RFC 959 §4.1 (commands USER, PASS, CWD, CDUP, PWD, PORT, PASV, ...), §4.2 (replies:
 *    3-digit code, `xyz-` opens a multi-line reply closed by `xyz `), RFC 2428 (EPRT, EPSV
 *    `229 (|||port|)`), RFC 4217 §4 (AUTH TLS → 234 switches to TLS).
 *  - SMTP: RFC 5321 §4.1.1 (commands), §4.2 (reply lines, `250-` continuation), §4.5.2
 *    (dot-stuffing; DATA ends with CRLF.CRLF), §4.5.3.1 (line limits: 512 octets per command
 *    line, 1000 per text line); RFC 3030 (BDAT chunks of exact length); RFC 3207 (STARTTLS →
 *    220); RFC 4954 (AUTH, 334 challenges in base64, 235 success, 535 failure, `*` cancels);
 *    RFC 4616 (PLAIN: base64 of authzid NUL authcid NUL passwd); LOGIN (draft-murchison-sasl-
 *    login: base64 user name, then password).
 *  - POP3: RFC 1939 §3 (`+OK` / `-ERR` status; multi-line responses end with a lone `.`),
 *    §7 (USER/PASS, APOP name digest = MD5(timestamp-banner || secret)); RFC 5034 (AUTH,
 *    `+ ` continuations); RFC 2595 §4 (STLS).
 *  - IMAP: RFC 3501 §2.2 (tagged commands, `*` untagged and `+` continuation responses),
 *    §4.3 (literals `{n}` followed by n octets), §6.2.2 AUTHENTICATE, §6.2.3 LOGIN, §7.1
 *    (OK/NO/BAD status), §6.2.1 STARTTLS; RFC 7888 (non-synchronising literals `{n+}`).
 *
 * What is emitted mirrors Wireshark 4.0 (checked against tshark 4.0.17 on the corpus's FTP
 * and SMTP captures): FTP and POP3 dissect each segment's first line (the others are text
 * in Wireshark's tree, no fields); SMTP dissects every command line and every complete
 * (multi-line) reply, so a reply's fields go on the frame of its last line; IMAP every line.
 * Message bodies (SMTP DATA, POP3 RETR) and IMAP literals are framed and skipped, never
 * emitted. Field and Info values show credentials exactly as Wireshark does; the command
 * events (AppEventRecord) mask them, and CredentialRecords carry them for the masked views.
 */
import { Buffer } from 'node:buffer';
import type { AppRecord, AppSink, CredentialRecord, Dir, Endpoint, FrameCtx, StreamInfo, TcpParser } from './types.js';

/** Longest line kept: RFC 5321 allows 1000 octets per text line; FTP and IMAP set no limit, but real command and reply lines stay far below this. Longer lines are cut (anomaly) and skipped. */
export const MAX_LINE = 8192;
/** Lines of one multi-line reply gathered before it is emitted anyway: EHLO replies list tens of extensions, FTP banners a few dozen lines. */
export const MAX_REPLY_LINES = 512;
/** Commands awaiting their reply (pipelining, RFC 2920): a client pipelines a handful; beyond this the oldest are forgotten. */
export const MAX_PENDING = 256;
/** Characters of a command or reply kept in a record (events, banners): enough for any real command line. */
export const MAX_TEXT = 1024;
/** Largest octet count taken from a BDAT or `{n}` announcement: skipping keeps only a counter (no buffering), so the only limit is staying an exact integer. */
const MAX_SAFE_SKIP = Number.MAX_SAFE_INTEGER;

const MASK = '********';

export const FTP_PORTS: readonly number[] = [21];
export const SMTP_PORTS: readonly number[] = [25, 587, 2525];
export const POP3_PORTS: readonly number[] = [110];
export const IMAP_PORTS: readonly number[] = [143];

// ---- Detection on the server's first line ------------------------------------------------

const decoder = new TextDecoder('utf-8');

function firstLine(b: Uint8Array): string {
  let end = b.indexOf(0x0a);
  if (end < 0) end = Math.min(b.length, 512);
  return decoder.decode(b.subarray(0, Math.min(end, 512))).replace(/\r$/, '');
}

/** An FTP greeting: `220` (or `220-`) and "FTP" somewhere in the first line (RFC 959 §5.4: 220 is the connection greeting). */
export function looksLikeFtp(firstBytes: Uint8Array): boolean {
  const l = firstLine(firstBytes);
  return /^220[ -]/.test(l) && /FTP/i.test(l) && !/\bE?SMTP\b/i.test(l);
}

/** An SMTP greeting: `220` and SMTP/ESMTP in the first line (RFC 5321 §4.3.1; the word is customary, not required). */
export function looksLikeSmtp(firstBytes: Uint8Array): boolean {
  const l = firstLine(firstBytes);
  return /^220[ -]/.test(l) && /\bE?SMTP\b/i.test(l);
}

/** A POP3 greeting: `+OK` (RFC 1939 §4). */
export function looksLikePop3(firstBytes: Uint8Array): boolean {
  return /^\+OK\b/.test(firstLine(firstBytes));
}

/** An IMAP greeting: `* OK`, `* PREAUTH` or `* BYE` (RFC 3501 §7.1). */
export function looksLikeImap(firstBytes: Uint8Array): boolean {
  return /^\* (OK|PREAUTH|BYE)\b/i.test(firstLine(firstBytes));
}

// ---- Line framing -----------------------------------------------------------------------

/** A unit handed to a protocol: a complete line, body bytes, or a line cut by the cap. */
export type Unit =
  | { kind: 'line'; text: string; term: string }
  /** Body bytes consumed (DATA/RETR until the lone dot, BDAT or IMAP literal octets); `end` when the body finished. */
  | { kind: 'body'; bytes: number; end: boolean }
  | { kind: 'overflow' };

/** Dot-terminated body scanner states (RFC 5321 §4.5.2, RFC 1939 §3). */
const enum Dot {
  LineStart,
  SawDot,
  SawDotCr,
  Mid,
}

/**
 * Splits one direction's bytes into lines, and into body runs when the protocol asks for
 * them (`dotBody` until a lone "." line; `skip` for a known number of octets). Lines
 * longer than MAX_LINE are dropped up to their LF.
 */
export class LineSplitter {
  /** Body delimited by a line holding only "." is being read. */
  dotBody = false;
  /** Octets still to skip (BDAT chunk, IMAP literal). */
  skip = 0;
  private parts: Uint8Array[] = [];
  private pending = 0;
  private overflowing = false;
  private dot: Dot = Dot.LineStart;

  /** The protocol switches modes from inside `emit`; the loop reads them before every unit. */
  push(bytes: Uint8Array, emit: (u: Unit) => void): void {
    let i = 0;
    while (i < bytes.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, bytes.length - i);
        this.skip -= n;
        i += n;
        emit({ kind: 'body', bytes: n, end: this.skip === 0 });
        continue;
      }
      if (this.dotBody) {
        const start = i;
        let lineStart = this.dot === Dot.LineStart ? i : -1;
        let ended = false;
        while (i < bytes.length && !ended) {
          const c = bytes[i++]!;
          switch (this.dot) {
            case Dot.LineStart:
              lineStart = i - 1;
              this.dot = c === 0x2e ? Dot.SawDot : c === 0x0a ? Dot.LineStart : Dot.Mid;
              break;
            case Dot.SawDot:
              if (c === 0x0d) this.dot = Dot.SawDotCr;
              else if (c === 0x0a) ended = true;
              else this.dot = Dot.Mid;
              break;
            case Dot.SawDotCr:
              if (c === 0x0a) ended = true;
              else this.dot = Dot.Mid;
              break;
            case Dot.Mid:
              if (c === 0x0a) this.dot = Dot.LineStart;
              break;
          }
        }
        if (ended) {
          this.dotBody = false;
          this.dot = Dot.LineStart;
          emit({ kind: 'body', bytes: Math.max(0, (lineStart >= start ? lineStart : start) - start), end: true });
        } else {
          emit({ kind: 'body', bytes: i - start, end: false });
        }
        continue;
      }
      const lf = bytes.indexOf(0x0a, i);
      const stop = lf < 0 ? bytes.length : lf + 1;
      const piece = bytes.subarray(i, stop);
      i = stop;
      if (!this.overflowing) {
        if (this.pending + piece.length > MAX_LINE + 2) {
          this.overflowing = true;
          this.parts = [];
          this.pending = 0;
          emit({ kind: 'overflow' });
        } else {
          this.parts.push(piece.slice());
          this.pending += piece.length;
        }
      }
      if (lf < 0) continue;
      if (this.overflowing) {
        this.overflowing = false;
        continue;
      }
      emit(this.take());
    }
  }

  /** The unterminated tail at the end of a stream, as a line (Wireshark shows it too). */
  flush(): Unit | null {
    if (this.pending === 0 || this.overflowing || this.dotBody || this.skip > 0) return null;
    return this.take();
  }

  /** Bytes were lost: the partial line is unusable; keep body modes (a dot line or a count still ends them). */
  gap(length: number): void {
    this.parts = [];
    this.pending = 0;
    if (this.skip > 0) this.skip = Math.max(0, this.skip - length);
    else if (!this.dotBody) this.overflowing = true; // resync at the next LF
    this.dot = Dot.Mid;
  }

  private take(): Unit {
    const whole = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [];
    this.pending = 0;
    const raw = decoder.decode(whole);
    const m = /\r?\n$/.exec(raw);
    const term = m ? m[0] : '';
    return { kind: 'line', text: raw.slice(0, raw.length - term.length), term };
  }
}

// ---- Shared helpers ---------------------------------------------------------------------

function endpointText(e: Endpoint): string {
  return e.addr.includes(':') ? `[${e.addr}]:${e.port}` : `${e.addr}:${e.port}`;
}

function cut(s: string): string {
  return s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) : s;
}

/** Splits "VERB rest" at the first space (RFC 5321 §4.1.1, RFC 959 §5.3: a command code, SP, arguments). */
function verb(line: string): { cmd: string; arg: string } {
  const sp = line.indexOf(' ');
  return sp < 0 ? { cmd: line, arg: '' } : { cmd: line.slice(0, sp), arg: line.slice(sp + 1) };
}

/** Strict base64 (RFC 4648 §4) to text; null when it is not base64. */
export function b64Text(s: string): string | null {
  const t = s.trim();
  if (t.length === 0 || t.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(t)) return null;
  return Buffer.from(t, 'base64').toString('utf8');
}

/** RFC 4616 PLAIN message: [authzid] NUL authcid NUL passwd. */
export function plainCredentials(b64: string): { user: string; pass: string; authz: string } | null {
  const t = b64Text(b64);
  if (t === null) return null;
  const parts = t.split('\u0000');
  if (parts.length !== 3) return null;
  return { authz: parts[0]!, user: parts[1]!, pass: parts[2]! };
}

interface PendingLogin {
  frame: number;
  user: string;
  secret: string | null;
  crackable: string | null;
}

/** Shared state and plumbing of the four parsers. */
abstract class LineProtocol implements TcpParser {
  /** Set once the server accepted STARTTLS / STLS / AUTH TLS: the bytes that follow are TLS, for the session layer to hand to the TLS analyzer. */
  tlsStarted = false;
  protected readonly split: [LineSplitter, LineSplitter] = [new LineSplitter(), new LineSplitter()];
  protected readonly client: string;
  protected readonly server: string;
  protected ctx!: FrameCtx;

  constructor(
    protected readonly info: StreamInfo,
    private readonly layer: string,
  ) {
    this.client = endpointText(info.client);
    this.server = endpointText(info.server);
  }

  data(dir: Dir, bytes: Uint8Array, ctx: FrameCtx): void {
    if (this.tlsStarted) return;
    this.ctx = ctx;
    try {
      this.begin(dir);
      this.split[dir].push(bytes, (u) => {
        if (this.tlsStarted) return;
        if (u.kind === 'overflow') ctx.sink.anomaly(this.layer, `line longer than ${MAX_LINE} bytes; skipped up to its end`);
        else this.unit(dir, u);
      });
      this.finish(dir);
    } catch (e) {
      ctx.sink.anomaly(this.layer, `dissector error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  gap(dir: Dir, length: number, ctx: FrameCtx): void {
    if (this.tlsStarted) return;
    this.split[dir].gap(length);
    ctx.sink.anomaly(this.layer, `${length} bytes missing in the stream; resynchronising at the next line`);
  }

  end(dir: Dir, ctx: FrameCtx | null): void {
    if (this.tlsStarted) return;
    try {
      const tail = this.split[dir].flush();
      if (tail !== null && ctx !== null) {
        this.ctx = ctx;
        this.begin(dir);
        this.unit(dir, tail);
        this.finish(dir);
      }
      if (ctx !== null) this.ctx = ctx;
      this.closed(dir);
    } catch (e) {
      ctx?.sink.anomaly(this.layer, `dissector error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  protected abstract begin(dir: Dir): void;
  protected abstract unit(dir: Dir, u: Unit): void;
  protected abstract finish(dir: Dir): void;
  /** A direction ended: logins still waiting for a reply are recorded with an unknown outcome. */
  protected closed(_dir: Dir): void {
    this.flushLogins();
  }

  protected get sink(): AppSink {
    return this.ctx.sink;
  }

  protected record(r: AppRecord): void {
    this.ctx.sink.record(r);
  }

  protected event(event: string, text: string, details: Record<string, string> = {}): void {
    this.record({ kind: 'app.event', frame: this.ctx.frame, stream: this.info.stream, protocol: this.proto(), client: this.client, server: this.server, event, text: cut(text), details });
  }

  protected abstract proto(): string;

  /** Logins sent and not yet answered (FIFO: replies come in order). */
  protected logins: PendingLogin[] = [];

  protected login(user: string, secret: string | null, crackable: string | null = null): void {
    if (this.logins.length >= MAX_PENDING) this.emitLogin(this.logins.shift()!, null);
    this.logins.push({ frame: this.ctx.frame, user, secret, crackable });
  }

  protected settleLogin(success: boolean | null): void {
    const p = this.logins.shift();
    if (p) this.emitLogin(p, success);
  }

  private flushLogins(): void {
    for (const p of this.logins.splice(0)) this.emitLogin(p, null);
  }

  private emitLogin(p: PendingLogin, success: boolean | null): void {
    const rec: CredentialRecord = {
      kind: 'credential',
      frame: p.frame,
      stream: this.info.stream,
      protocol: this.proto(),
      client: this.client,
      server: this.server,
      user: p.user,
      domain: null,
      secret: p.secret,
      crackable: p.crackable,
      success,
    };
    this.ctx.sink.record(rec);
  }
}

// ---- FTP --------------------------------------------------------------------------------

/** RFC 959 §4.1.3 / RFC 2428 commands whose argument is a secret in events. */
const FTP_SECRET = new Set(['PASS', 'ACCT']);

function ipv4Number(text: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const o = m.slice(1, 5).map(Number);
  if (o.some((x) => x > 255)) return null;
  return ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
}

/** `h1,h2,h3,h4,p1,p2` (RFC 959 §4.1.2 PORT, §4.2 227 reply). */
function hostPort(s: string): { ip: number; port: number } | null {
  const m = /(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})/.exec(s);
  if (!m) return null;
  const n = m.slice(1, 7).map(Number);
  if (n.some((x) => x > 255)) return null;
  return { ip: ((n[0]! << 24) | (n[1]! << 16) | (n[2]! << 8) | n[3]!) >>> 0, port: (n[4]! << 8) | n[5]! };
}

/**
 * FTP control connection (RFC 959). Fields of each segment's first line, as Wireshark's
 * FTP dissector (it does not reassemble): ftp.request/ftp.response, the command or reply
 * code and argument, passive/active data-connection addresses, and the tracked working
 * directory.
 */
export class FtpParser extends LineProtocol {
  private first = true;
  private info0 = '';
  private user: string | null = null;
  private cwd = '';
  /** Commands awaiting a reply, for the CWD/PWD and login bookkeeping. */
  private sent: { cmd: string; arg: string }[] = [];
  private replyOpen: string | null = null;
  private bannerSeen = false;

  constructor(info: StreamInfo) {
    super(info, 'ftp');
  }

  protected proto(): string {
    return 'ftp';
  }

  protected begin(): void {
    this.first = true;
    this.info0 = '';
  }

  protected finish(): void {
    if (this.info0 !== '') this.sink.columns('FTP', this.info0);
  }

  protected unit(dir: Dir, u: Unit): void {
    if (u.kind !== 'line') return;
    const emit = this.first;
    this.first = false;
    if (dir === 0) this.request(u.text, emit);
    else this.reply(u.text, emit);
  }

  private request(line: string, emit: boolean): void {
    const { cmd, arg } = verb(line);
    const up = cmd.toUpperCase();
    const s = this.sink;
    if (emit) {
      this.info0 = `Request: ${line}`;
      s.field('ftp.request', 1);
      s.field('ftp.response', 0);
      s.field('ftp.request.command', cmd);
      if (arg !== '') s.field('ftp.request.arg', arg);
      if (up === 'PORT') {
        const hp = hostPort(arg);
        if (hp) {
          s.field('ftp.active.cip', hp.ip);
          s.field('ftp.active.port', hp.port);
          const cl = ipv4Number(this.info.client.addr);
          if (cl !== null) s.field('ftp.active.nat', cl === hp.ip ? 0 : 1);
        }
      } else if (up === 'EPRT') {
        const m = /^\|(\d)\|([^|]*)\|(\d{1,5})\|$/.exec(arg);
        if (m && m[1] === '1' && ipv4Number(m[2]!) !== null) {
          s.field('ftp.eprt.af', 1);
          s.field('ftp.eprt.ip', ipv4Number(m[2]!)!);
          s.field('ftp.eprt.port', Number(m[3]) & 0xffff);
        }
      }
      s.field('ftp.current-working-directory', this.cwd);
    }
    if (this.sent.length >= MAX_PENDING) this.sent.shift();
    this.sent.push({ cmd: up, arg });
    this.event('command', FTP_SECRET.has(up) && arg !== '' ? `${cmd} ${MASK}` : line, { command: up });
    if (up === 'USER') this.user = arg;
    else if (up === 'PASS') this.login(this.user ?? '', arg);
  }

  private reply(line: string, emit: boolean): void {
    const m = /^(\d{3})([ -]?)(.*)$/.exec(line);
    const code = m ? Number(m[1]) : -1;
    const more = m?.[2] === '-';
    const text = m ? m[3]! : line;
    // A multi-line reply (RFC 959 §4.2) completes at the line "code SP"; bookkeeping waits for it.
    let complete = false;
    if (this.replyOpen !== null) {
      if (m && m[1] === this.replyOpen && !more) {
        complete = true;
        this.replyOpen = null;
      }
    } else if (m) {
      if (more) this.replyOpen = m[1]!;
      else complete = true;
    }
    const s = this.sink;
    const pending = complete && code >= 200 ? this.sent.shift() : complete && code < 200 ? this.sent[0] : undefined;
    if (complete && pending) {
      if (code === 257 && (pending.cmd === 'PWD' || pending.cmd === 'XPWD' || pending.cmd === 'MKD')) {
        const q = /^"((?:[^"]|"")*)"/.exec(text);
        if (q && pending.cmd !== 'MKD') this.cwd = q[1]!.replace(/""/g, '"');
      } else if (code === 250 && (pending.cmd === 'CWD' || pending.cmd === 'XCWD')) {
        this.cwd = joinPath(this.cwd, pending.arg);
      } else if (code === 250 && (pending.cmd === 'CDUP' || pending.cmd === 'XCUP')) {
        this.cwd = joinPath(this.cwd, '..');
      }
    }
    if (emit) {
      this.info0 = `Response: ${line}`;
      s.field('ftp.request', 0);
      s.field('ftp.response', 1);
      if (m) s.field('ftp.response.code', code);
      s.field('ftp.response.arg', text);
      if (code === 227) {
        const hp = hostPort(text);
        if (hp) {
          s.field('ftp.passive.ip', hp.ip);
          s.field('ftp.passive.port', hp.port);
          const sv = ipv4Number(this.info.server.addr);
          if (sv !== null) s.field('ftp.passive.nat', sv === hp.ip ? 0 : 1);
        }
      } else if (code === 229) {
        const e = /\((.)\1\1(\d{1,5})\1\)/.exec(text);
        const sv = ipv4Number(this.info.server.addr);
        if (e) {
          if (sv !== null) s.field('ftp.epsv.ip', sv);
          s.field('ftp.epsv.port', Number(e[2]) & 0xffff);
        }
      }
      s.field('ftp.current-working-directory', this.cwd);
    }
    if (!this.bannerSeen && code === 220) {
      this.bannerSeen = true;
      this.event('banner', line);
    }
    if (!complete || !pending) return;
    if (pending.cmd === 'PASS' && code >= 200) this.settleLogin(code >= 200 && code < 300);
    else if (pending.cmd === 'AUTH' && code === 234 && /^(TLS|SSL|TLS-C|TLS-P)$/i.test(pending.arg.trim())) {
      this.tlsStarted = true;
      this.event('starttls', line);
    }
  }
}

/** The new working directory after a successful CWD (absolute, or relative to the known one). */
function joinPath(cwd: string, arg: string): string {
  if (arg.startsWith('/')) return arg;
  const parts = (cwd === '' ? '' : cwd).split('/').filter((p) => p !== '');
  for (const p of arg.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return `/${parts.join('/')}`;
}

// ---- SMTP -------------------------------------------------------------------------------

const enum SmtpAuth {
  None,
  LoginUser,
  LoginPass,
  Plain,
  /** A mechanism we do not decode (CRAM-MD5, XOAUTH2, ...): its lines are skipped until the reply. */
  Other,
}

/**
 * SMTP (RFC 5321) with AUTH (RFC 4954), pipelining (RFC 2920), DATA and BDAT framing.
 * Every command line and every complete reply is dissected, as Wireshark's SMTP does.
 */
export class SmtpParser extends LineProtocol {
  private infoParts: string[] = [];
  private dataBytes = 0;
  private dataEnded = false;
  private rsp: string[] = [];
  private rspTerm = '';
  private auth: SmtpAuth = SmtpAuth.None;
  private authUser = '';
  private sent: string[] = [];
  private from = '';
  private rcpts: string[] = [];
  private messageBytes = 0;
  private inData = false;
  private bannerSeen = false;

  constructor(info: StreamInfo) {
    super(info, 'smtp');
  }

  protected proto(): string {
    return 'smtp';
  }

  protected begin(): void {
    this.infoParts = [];
    this.dataBytes = 0;
    this.dataEnded = false;
  }

  protected finish(dir: Dir): void {
    if (dir === 0 && (this.dataBytes > 0 || this.dataEnded) && this.infoParts.length === 0) {
      this.sink.columns('SMTP', this.dataBytes > 0 ? `C: DATA fragment, ${this.dataBytes} bytes` : 'C: .');
      return;
    }
    if (this.infoParts.length > 0) this.sink.columns('SMTP', `${dir === 0 ? 'C' : 'S'}: ${this.infoParts.join(' | ')}`);
  }

  protected unit(dir: Dir, u: Unit): void {
    if (u.kind === 'body') {
      this.dataBytes += u.bytes;
      this.messageBytes += u.bytes;
      if (u.end) this.endOfMessage();
      return;
    }
    if (u.kind !== 'line') return;
    if (dir === 0) this.request(u.text, u.term);
    else this.replyLine(u.text, u.term);
  }

  private endOfMessage(): void {
    this.dataEnded = true;
    this.inData = false;
    this.event('message', `MAIL FROM ${this.from} to ${this.rcpts.join(', ')}`, { from: this.from, to: this.rcpts.join(', '), bytes: String(this.messageBytes) });
    this.rcpts = [];
  }

  private request(line: string, term: string): void {
    const s = this.sink;
    if (this.auth !== SmtpAuth.None) {
      // RFC 4954 §4: a line of "*" cancels the exchange.
      if (line === '*') {
        this.auth = SmtpAuth.None;
      } else if (this.auth === SmtpAuth.LoginUser) {
        s.field('smtp.req', 1);
        s.field('smtp.auth.username', line);
        this.infoParts.push(`User: ${line}`);
        this.authUser = b64Text(line) ?? line;
        this.auth = SmtpAuth.LoginPass;
        return;
      } else if (this.auth === SmtpAuth.LoginPass) {
        s.field('smtp.req', 1);
        s.field('smtp.auth.password', line);
        this.infoParts.push(`Pass: ${line}`);
        this.login(this.authUser, b64Text(line) ?? line);
        this.auth = SmtpAuth.None;
        this.sent.push('AUTH');
        return;
      } else if (this.auth === SmtpAuth.Plain) {
        s.field('smtp.req', 1);
        s.field('smtp.auth.username_password', line);
        this.infoParts.push(`User/Pass: ${line}`);
        const p = plainCredentials(line);
        this.login(p?.user ?? '', p?.pass ?? null);
        this.auth = SmtpAuth.None;
        this.sent.push('AUTH');
        return;
      } else {
        s.field('smtp.req', 1);
        s.field('smtp.command_line', line + term);
        this.infoParts.push(line);
        return;
      }
    }
    const { cmd, arg } = verb(line);
    const up = cmd.toUpperCase();
    s.field('smtp.req', 1);
    s.field('smtp.command_line', line + term);
    s.field('smtp.req.command', cmd);
    if (arg !== '') s.field('smtp.req.parameter', arg);
    this.infoParts.push(line);
    let shown = line;
    let expectsReply = true;
    if (up === 'AUTH') {
      const a = verb(arg);
      const mech = a.cmd.toUpperCase();
      if (a.arg !== '') shown = `${cmd} ${a.cmd} ${MASK}`;
      if (mech === 'LOGIN') {
        if (a.arg !== '') {
          this.authUser = b64Text(a.arg) ?? a.arg;
          this.auth = SmtpAuth.LoginPass;
        } else this.auth = SmtpAuth.LoginUser;
        expectsReply = false;
      } else if (mech === 'PLAIN') {
        if (a.arg !== '' && a.arg !== '=') {
          const p = plainCredentials(a.arg);
          this.login(p?.user ?? '', p?.pass ?? null);
        } else {
          this.auth = SmtpAuth.Plain;
          expectsReply = false;
        }
      } else {
        this.auth = SmtpAuth.Other;
        expectsReply = false;
      }
    } else if (up === 'MAIL') {
      this.from = cut(arg.replace(/^FROM:\s*/i, ''));
      this.messageBytes = 0;
    } else if (up === 'RCPT') {
      if (this.rcpts.length < MAX_PENDING) this.rcpts.push(cut(arg.replace(/^TO:\s*/i, '')));
    } else if (up === 'DATA') {
      // Body until the lone dot (RFC 5321 §4.5.2). Entered now, so a capture without the
      // server side still frames it; a refusal of DATA (not 354) leaves the mode again.
      this.split[0].dotBody = true;
      this.inData = true;
      this.messageBytes = 0;
    } else if (up === 'BDAT') {
      const m = /^(\d{1,15})(\s+LAST)?\s*$/i.exec(arg);
      if (m) this.split[0].skip = Math.min(Number(m[1]), MAX_SAFE_SKIP);
    }
    if (expectsReply) {
      if (this.sent.length >= MAX_PENDING) this.sent.shift();
      this.sent.push(up);
    }
    this.event('command', shown, { command: up });
  }

  private replyLine(line: string, term: string): void {
    const m = /^(\d{3})([ -]?)/.exec(line);
    if (this.rsp.length === 0) this.rspTerm = term;
    this.rsp.push(line);
    if (m && m[2] === '-' && this.rsp.length < MAX_REPLY_LINES) return;
    this.reply(this.rsp, this.rspTerm);
    this.rsp = [];
  }

  private reply(lines: string[], term: string): void {
    const s = this.sink;
    const first = lines[0]!;
    const m = /^(\d{3})/.exec(first);
    const code = m ? Number(m[1]) : -1;
    s.field('smtp.rsp', 1);
    s.field('smtp.response', first + term);
    if (m) s.field('smtp.response.code', code);
    const parts: string[] = [];
    lines.forEach((l, i) => {
      const param = /^\d{3}[ -]?/.test(l) ? l.slice(Math.min(4, l.length)) : l;
      if (param !== '' || i > 0) s.field('smtp.rsp.parameter', param);
      parts.push(i === 0 ? l : param);
    });
    this.infoParts.push(parts.join(' | '));
    if (!this.bannerSeen && code === 220) {
      this.bannerSeen = true;
      this.event('banner', first);
      return;
    }
    // A 334 continues an AUTH exchange (RFC 4954 §4) and answers no queued command.
    if (code === 334) return;
    if (this.auth !== SmtpAuth.None) {
      // Anything but 334 before the secret was sent ends the exchange without a login
      // (refused mechanism, cancel, or a mechanism we do not decode).
      this.auth = SmtpAuth.None;
      return;
    }
    const cmd = this.sent.shift();
    if (cmd === 'AUTH') this.settleLogin(code === 235 ? true : code >= 400 ? false : null);
    else if (cmd === 'DATA' && code !== 354 && this.inData && this.messageBytes === 0) {
      this.split[0].dotBody = false;
      this.inData = false;
    } else if (cmd === 'STARTTLS' && code === 220) {
      this.tlsStarted = true;
      this.event('starttls', first);
    }
  }
}

// ---- POP3 -------------------------------------------------------------------------------

/** Commands whose +OK reply is multi-line (RFC 1939 §5, §7; RFC 2449 CAPA). LIST and UIDL only without an argument. */
function popMultiline(cmd: string, arg: string): boolean {
  if (cmd === 'RETR' || cmd === 'TOP' || cmd === 'CAPA') return true;
  return (cmd === 'LIST' || cmd === 'UIDL') && arg.trim() === '';
}

/** POP3 (RFC 1939) with AUTH PLAIN/LOGIN (RFC 5034), APOP and STLS. Fields of each segment's first line. */
export class Pop3Parser extends LineProtocol {
  private first = true;
  private info0 = '';
  private dataBytes = 0;
  private user = '';
  private sent: { cmd: string; arg: string }[] = [];
  private timestamp: string | null = null;
  private auth: SmtpAuth = SmtpAuth.None;
  private authUser = '';
  private bannerSeen = false;

  constructor(info: StreamInfo) {
    super(info, 'pop');
  }

  protected proto(): string {
    return 'pop3';
  }

  protected begin(): void {
    this.first = true;
    this.info0 = '';
    this.dataBytes = 0;
  }

  protected finish(dir: Dir): void {
    if (this.info0 !== '') this.sink.columns('POP', this.info0);
    else if (this.dataBytes > 0) this.sink.columns('POP', `${dir === 0 ? 'C' : 'S'}: DATA fragment, ${this.dataBytes} bytes`);
  }

  protected unit(dir: Dir, u: Unit): void {
    if (u.kind === 'body') {
      this.dataBytes += u.bytes;
      return;
    }
    if (u.kind !== 'line') return;
    const emit = this.first;
    this.first = false;
    if (dir === 0) this.request(u.text, u.term, emit);
    else this.reply(u.text, u.term, emit);
  }

  private request(line: string, term: string, emit: boolean): void {
    const s = this.sink;
    if (this.auth !== SmtpAuth.None) {
      // SASL continuation data (RFC 5034 §4): base64, no command.
      if (emit) {
        this.info0 = `C: ${line}`;
        s.field('pop.request', line + term);
      }
      if (line === '*') this.auth = SmtpAuth.None;
      else if (this.auth === SmtpAuth.Other) return;
      else if (this.auth === SmtpAuth.LoginUser) {
        this.authUser = b64Text(line) ?? line;
        this.auth = SmtpAuth.LoginPass;
      } else if (this.auth === SmtpAuth.LoginPass) {
        this.login(this.authUser, b64Text(line) ?? line);
        this.auth = SmtpAuth.None;
        this.sent.push({ cmd: 'AUTH', arg: '' });
      } else {
        const p = plainCredentials(line);
        this.login(p?.user ?? '', p?.pass ?? null);
        this.auth = SmtpAuth.None;
        this.sent.push({ cmd: 'AUTH', arg: '' });
      }
      return;
    }
    const { cmd, arg } = verb(line);
    const up = cmd.toUpperCase();
    if (emit) {
      this.info0 = `C: ${line}`;
      s.field('pop.request', line + term);
      s.field('pop.request.command', cmd);
      if (arg !== '') s.field('pop.request.parameter', arg);
    }
    let shown = line;
    let queue = true;
    if (up === 'USER') this.user = arg;
    else if (up === 'PASS') {
      shown = `${cmd} ${MASK}`;
      this.login(this.user, arg);
    } else if (up === 'APOP') {
      // APOP name digest, digest = MD5(timestamp || secret): hashcat mode 20 (md5($salt.$pass)) as hash:salt.
      const a = arg.trim().split(/\s+/);
      shown = `${cmd} ${a[0] ?? ''} ${MASK}`;
      const digest = a[1] ?? '';
      this.login(a[0] ?? '', null, /^[0-9a-f]{32}$/i.test(digest) && this.timestamp !== null ? `${digest.toLowerCase()}:${this.timestamp}` : null);
    } else if (up === 'AUTH') {
      const a = verb(arg);
      const mech = a.cmd.toUpperCase();
      if (a.arg !== '') shown = `${cmd} ${a.cmd} ${MASK}`;
      if (mech === 'PLAIN' && a.arg !== '' && a.arg !== '=') {
        const p = plainCredentials(a.arg);
        this.login(p?.user ?? '', p?.pass ?? null);
      } else if (mech === 'PLAIN') {
        this.auth = SmtpAuth.Plain;
        queue = false;
      } else if (mech === 'LOGIN') {
        if (a.arg !== '') {
          this.authUser = b64Text(a.arg) ?? a.arg;
          this.auth = SmtpAuth.LoginPass;
        } else this.auth = SmtpAuth.LoginUser;
        queue = false;
      } else if (mech !== '') {
        this.auth = SmtpAuth.Other;
        queue = false;
      }
    }
    if (queue) {
      if (this.sent.length >= MAX_PENDING) this.sent.shift();
      this.sent.push({ cmd: up, arg });
    }
    this.event('command', shown, { command: up });
  }

  private reply(line: string, term: string, emit: boolean): void {
    const s = this.sink;
    const m = /^([+-]\S*)\s?(.*)$/.exec(line);
    if (emit) {
      this.info0 = `S: ${line}`;
      s.field('pop.response', line + term);
      if (m) {
        s.field('pop.response.indicator', m[1]!);
        if (m[2] !== '') s.field('pop.response.description', m[2]!);
      }
    }
    const ind = m?.[1] ?? '';
    if (!this.bannerSeen) {
      this.bannerSeen = true;
      if (ind === '+OK') {
        const ts = /<[^<>\s]*@?[^<>\s]*>/.exec(line);
        this.timestamp = ts ? ts[0] : null;
        this.event('banner', line);
        return;
      }
    }
    // A SASL challenge (RFC 5034 §4) answers no command.
    if (ind === '+') return;
    if (this.auth !== SmtpAuth.None) {
      this.auth = SmtpAuth.None;
      return;
    }
    const p = this.sent.shift();
    if (!p) return;
    const ok = ind === '+OK';
    if (p.cmd === 'PASS' || p.cmd === 'APOP' || p.cmd === 'AUTH') this.settleLogin(ok ? true : ind === '-ERR' ? false : null);
    else if (p.cmd === 'STLS' && ok) {
      this.tlsStarted = true;
      this.event('starttls', line);
    } else if (ok && popMultiline(p.cmd, p.arg)) this.split[1].dotBody = true;
  }
}

// ---- IMAP -------------------------------------------------------------------------------

/** One IMAP astring (RFC 3501 §9: atom or quoted string) from the front of `s`. */
function astring(s: string): { value: string; rest: string } | null {
  const t = s.replace(/^ +/, '');
  if (t.startsWith('"')) {
    let out = '';
    for (let i = 1; i < t.length; i++) {
      const c = t[i]!;
      if (c === '\\' && i + 1 < t.length) out += t[++i]!;
      else if (c === '"') return { value: out, rest: t.slice(i + 1) };
      else out += c;
    }
    return null;
  }
  const m = /^([^\s()]+)(.*)$/.exec(t);
  return m ? { value: m[1]!, rest: m[2]! } : null;
}

/**
 * IMAP4rev1 (RFC 3501): every line dissected (isrequest, line, tag, command, LOGIN user and
 * password as Wireshark shows them), literals skipped, logins resolved by their tagged reply.
 */
export class ImapParser extends LineProtocol {
  private info0 = '';
  private dataBytes = 0;
  /** Tagged commands awaiting their completion, by tag. */
  private tags = new Map<string, { cmd: string; login: boolean }>();
  /** AUTHENTICATE in progress: its tag and mechanism state. */
  private authTag: string | null = null;
  private auth: SmtpAuth = SmtpAuth.None;
  private authUser = '';
  private bannerSeen = false;

  constructor(info: StreamInfo) {
    super(info, 'imap');
  }

  protected proto(): string {
    return 'imap';
  }

  protected begin(): void {
    this.info0 = '';
    this.dataBytes = 0;
  }

  protected finish(dir: Dir): void {
    if (this.info0 !== '') this.sink.columns('IMAP', this.info0);
    else if (this.dataBytes > 0) this.sink.columns('IMAP', `${dir === 0 ? 'Request' : 'Response'}: literal, ${this.dataBytes} bytes`);
  }

  protected unit(dir: Dir, u: Unit): void {
    if (u.kind === 'body') {
      this.dataBytes += u.bytes;
      return;
    }
    if (u.kind !== 'line') return;
    const line = u.text;
    // A literal announced at the end of a line (RFC 3501 §4.3, RFC 7888 `{n+}`): its octets follow.
    const lit = /\{(\d{1,15})\+?\}$/.exec(line);
    if (lit) this.split[dir].skip = Math.min(Number(lit[1]), MAX_SAFE_SKIP);
    if (this.info0 === '') this.info0 = `${dir === 0 ? 'Request' : 'Response'}: ${line}`;
    const s = this.sink;
    s.field('imap.isrequest', dir === 0 ? 1 : 0);
    s.field('imap.line', line + u.term);
    if (dir === 0) this.request(line);
    else this.response(line);
  }

  private request(line: string): void {
    const s = this.sink;
    if (this.authTag !== null && this.auth !== SmtpAuth.None) {
      // AUTHENTICATE continuation data (RFC 3501 §6.2.2): base64, or "*" to cancel.
      if (line === '*') this.auth = SmtpAuth.None;
      else if (this.auth === SmtpAuth.LoginUser) {
        this.authUser = b64Text(line) ?? line;
        this.auth = SmtpAuth.LoginPass;
      } else if (this.auth === SmtpAuth.LoginPass) {
        this.login(this.authUser, b64Text(line) ?? line);
        this.tags.set(this.authTag, { cmd: 'AUTHENTICATE', login: true });
        this.auth = SmtpAuth.None;
      } else if (this.auth === SmtpAuth.Plain) {
        const p = plainCredentials(line);
        this.login(p?.user ?? '', p?.pass ?? null);
        this.tags.set(this.authTag, { cmd: 'AUTHENTICATE', login: true });
        this.auth = SmtpAuth.None;
      }
      return;
    }
    const t = verb(line);
    const c = verb(t.arg);
    const tag = t.cmd;
    const up = c.cmd.toUpperCase();
    s.field('imap.request', line);
    s.field('imap.request_tag', tag);
    s.field('imap.request.command', c.cmd);
    let shown = line;
    let login = false;
    if (up === 'LOGIN') {
      const u = astring(c.arg);
      const p = u ? astring(u.rest) : null;
      if (u) s.field('imap.request.username', u.value);
      if (p) s.field('imap.request.password', p.value);
      shown = `${tag} ${c.cmd} ${u?.value ?? ''} ${MASK}`;
      this.login(u?.value ?? '', p?.value ?? null);
      login = true;
    } else if (up === 'AUTHENTICATE') {
      const a = verb(c.arg);
      const mech = a.cmd.toUpperCase();
      if (a.arg !== '') shown = `${tag} ${c.cmd} ${a.cmd} ${MASK}`;
      this.authTag = tag;
      if (mech === 'PLAIN' && a.arg !== '') {
        const p = plainCredentials(a.arg);
        this.login(p?.user ?? '', p?.pass ?? null);
        login = true;
      } else if (mech === 'PLAIN') this.auth = SmtpAuth.Plain;
      else if (mech === 'LOGIN') this.auth = SmtpAuth.LoginUser;
      else this.auth = SmtpAuth.Other;
    }
    if (this.tags.size >= MAX_PENDING) {
      const oldest = this.tags.keys().next();
      if (!oldest.done) this.tags.delete(oldest.value);
    }
    if (tag !== '') this.tags.set(tag, { cmd: up, login });
    this.event('command', shown, { command: up, tag });
  }

  private response(line: string): void {
    const s = this.sink;
    const t = verb(line);
    const c = verb(t.arg);
    s.field('imap.response', line);
    s.field('imap.response_tag', t.cmd);
    const status = c.cmd.toUpperCase();
    if (t.cmd !== '+' && /^(OK|NO|BAD|PREAUTH|BYE)$/.test(status)) s.field('imap.response.status', c.cmd);
    if (!this.bannerSeen && t.cmd === '*') {
      this.bannerSeen = true;
      this.event('banner', line);
    }
    if (t.cmd === '*' || t.cmd === '+') return;
    const pending = this.tags.get(t.cmd);
    if (!pending) return;
    this.tags.delete(t.cmd);
    if (t.cmd === this.authTag) {
      this.authTag = null;
      this.auth = SmtpAuth.None;
    }
    if (pending.login) this.settleLogin(status === 'OK' ? true : status === 'NO' || status === 'BAD' ? false : null);
    else if (pending.cmd === 'STARTTLS' && status === 'OK') {
      this.tlsStarted = true;
      this.event('starttls', line);
    }
  }
}
