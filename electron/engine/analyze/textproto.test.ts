import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FtpParser, ImapParser, MAX_LINE, Pop3Parser, SmtpParser, b64Text, looksLikeFtp, looksLikeImap, looksLikePop3, looksLikeSmtp, plainCredentials } from './textproto.js';
import type { AppEventRecord, AppRecord, AppSink, AppValue, CredentialRecord, Dir, FrameCtx, StreamInfo, TcpParser } from './types.js';

const INFO: StreamInfo = { stream: 3, client: { addr: '10.0.0.5', port: 50000 }, server: { addr: '10.0.0.1', port: 21 } };
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

class Sink implements AppSink {
  fields: [string, AppValue][] = [];
  cols: [string, string][] = [];
  anomalies: string[] = [];
  records: AppRecord[] = [];
  field(n: string, v: AppValue): void {
    this.fields.push([n, v]);
  }
  columns(p: string, i: string): void {
    this.cols.push([p, i]);
  }
  anomaly(l: string, d: string): void {
    this.anomalies.push(`${l}: ${d}`);
  }
  record(r: AppRecord): void {
    this.records.push(r);
  }
}

/** Feeds a conversation, one frame per step; returns the sink of every frame and one with everything. */
function run(p: TcpParser, steps: [Dir, string][], chunk?: number): { frames: Sink[]; all: Sink } {
  const frames: Sink[] = [];
  const all = new Sink();
  let no = 0;
  const ctxFor = (): FrameCtx => {
    const s = new Sink();
    frames.push(s);
    const tee: AppSink = {
      field: (n, v) => (s.field(n, v), all.field(n, v)),
      columns: (a, b) => (s.columns(a, b), all.columns(a, b)),
      anomaly: (a, b) => (s.anomaly(a, b), all.anomaly(a, b)),
      record: (r) => (s.record(r), all.record(r)),
    };
    return { frame: ++no, tsSec: 0, tsNsec: 0, sink: tee };
  };
  for (const [dir, text] of steps) {
    const bytes = enc(text);
    if (chunk === undefined) p.data(dir, bytes, ctxFor());
    else for (let i = 0; i < bytes.length; i += chunk) p.data(dir, bytes.subarray(i, i + chunk), ctxFor());
  }
  p.end(0, ctxFor());
  p.end(1, ctxFor());
  return { frames, all };
}

const creds = (s: Sink): CredentialRecord[] => s.records.filter((r): r is CredentialRecord => r.kind === 'credential');
const events = (s: Sink): AppEventRecord[] => s.records.filter((r): r is AppEventRecord => r.kind === 'app.event');

describe('detection on the server greeting', () => {
  it('tells FTP, SMTP, POP3 and IMAP greetings apart', () => {
    expect(looksLikeFtp(enc('220 redmint FTP server (Version 6.4) ready.\r\n'))).toBe(true);
    expect(looksLikeSmtp(enc('220 redmint FTP server ready.\r\n'))).toBe(false);
    expect(looksLikeSmtp(enc('220-xc90.example.com ESMTP Exim 4.69\r\n'))).toBe(true);
    expect(looksLikeFtp(enc('220 mx ESMTP Postfix\r\n'))).toBe(false);
    expect(looksLikePop3(enc('+OK Dovecot ready. <1896.697170952@dbc.mtview.ca.us>\r\n'))).toBe(true);
    expect(looksLikeImap(enc('* OK [CAPABILITY IMAP4rev1] ready\r\n'))).toBe(true);
    expect(looksLikeImap(enc('+OK\r\n'))).toBe(false);
  });
});

describe('SASL helpers', () => {
  it('decodes PLAIN (RFC 4616) and rejects non-base64', () => {
    expect(plainCredentials(b64('\u0000tim\u0000tanstaaftanstaaf'))).toEqual({ authz: '', user: 'tim', pass: 'tanstaaftanstaaf' });
    expect(plainCredentials('not base64!')).toBeNull();
    expect(b64Text('Z3VycGFydGFwQHBhdHJpb3RzLmlu')).toBe('gurpartap@patriots.in');
    expect(b64Text('abc')).toBeNull();
  });
});

describe('FtpParser', () => {
  const login: [Dir, string][] = [
    [1, '220 redmint FTP server ready.\r\n'],
    [0, 'USER bro\r\n'],
    [1, '331 Password required for bro.\r\n'],
    [0, 'PASS s3cret\r\n'],
    [1, '530 Login incorrect.\r\n'],
    [0, 'USER bro\r\n'],
    [1, '331 Password required for bro.\r\n'],
    [0, 'PASS hunter2\r\n'],
    [1, '230 User bro logged in.\r\n'],
    [0, 'PWD\r\n'],
    [1, '257 "/home/bro" is current directory\r\n'],
    [0, 'CWD pub\r\n'],
    [1, '250 CWD command successful.\r\n'],
    [0, 'PASV\r\n'],
    [1, '227 Entering Passive Mode (10,0,0,1,195,80).\r\n'],
  ];

  it('records each login with its outcome and masks the password in events', () => {
    const { frames, all } = run(new FtpParser(INFO), login);
    expect(creds(all).map((c) => [c.user, c.secret, c.success, c.frame, c.protocol])).toEqual([
      ['bro', 's3cret', false, 4, 'ftp'],
      ['bro', 'hunter2', true, 8, 'ftp'],
    ]);
    const texts = events(all).map((e) => e.text);
    expect(texts).toContain('PASS ********');
    expect(texts.join('\n')).not.toMatch(/s3cret|hunter2/);
    expect(events(all)[0]).toMatchObject({ event: 'banner', protocol: 'ftp', client: '10.0.0.5:50000', server: '10.0.0.1:21' });
    // Fields and columns as Wireshark shows them (the password included).
    expect(frames[3]!.fields).toEqual([
      ['ftp.request', 1],
      ['ftp.response', 0],
      ['ftp.request.command', 'PASS'],
      ['ftp.request.arg', 's3cret'],
      ['ftp.current-working-directory', ''],
    ]);
    expect(frames[4]!.cols).toEqual([['FTP', 'Response: 530 Login incorrect.']]);
  });

  it('tracks the working directory from PWD and CWD replies, and PASV addresses', () => {
    const { frames } = run(new FtpParser(INFO), login);
    const cwd = (i: number): AppValue | undefined => frames[i]!.fields.find(([n]) => n === 'ftp.current-working-directory')?.[1];
    expect(cwd(10)).toBe('/home/bro');
    expect(cwd(12)).toBe('/home/bro/pub');
    const pasv = frames[14]!.fields;
    expect(pasv).toContainEqual(['ftp.passive.ip', 0x0a000001]);
    expect(pasv).toContainEqual(['ftp.passive.port', 195 * 256 + 80]);
    expect(pasv).toContainEqual(['ftp.passive.nat', 0]);
  });

  it('dissects only the first line of a segment, as Wireshark does, but keeps state for all', () => {
    const { frames, all } = run(new FtpParser(INFO), [
      [1, '220-Welcome\r\n220-second line\r\n220 FTP ready\r\n'],
      [0, 'USER a\r\nPASS b\r\n'],
      [1, '331 ok\r\n230 in\r\n'],
    ]);
    expect(frames[0]!.fields.filter(([n]) => n === 'ftp.response.code')).toEqual([['ftp.response.code', 220]]);
    expect(frames[0]!.cols).toEqual([['FTP', 'Response: 220-Welcome']]);
    expect(creds(all).map((c) => [c.user, c.secret, c.success])).toEqual([['a', 'b', true]]);
  });

  it('gives the same records whatever the segmentation (fast-check)', () => {
    const whole = run(new FtpParser(INFO), login).all.records;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), (n) => {
        expect(run(new FtpParser(INFO), login, n).all.records.map((r) => ({ ...r, frame: 0 }))).toEqual(whole.map((r) => ({ ...r, frame: 0 })));
      }),
    );
  });

  it('notes AUTH TLS and stops parsing', () => {
    const p = new FtpParser(INFO);
    const { all } = run(p, [
      [1, '220 FTP\r\n'],
      [0, 'AUTH TLS\r\n'],
      [1, '234 AUTH TLS successful\r\n'],
      [0, '\u0016\u0003\u0001garbage\r\n'],
    ]);
    expect(p.tlsStarted).toBe(true);
    expect(events(all).map((e) => e.event)).toEqual(['banner', 'command', 'starttls']);
  });

  it('cuts lines over the cap with an anomaly and resumes at the next line', () => {
    const { all } = run(new FtpParser(INFO), [[0, `${'A'.repeat(MAX_LINE + 100)}\r\nUSER x\r\nPASS y\r\n`]]);
    expect(all.anomalies.some((a) => a.includes('longer than'))).toBe(true);
    expect(creds(all).map((c) => [c.user, c.secret, c.success])).toEqual([['x', 'y', null]]);
  });
});

describe('SmtpParser', () => {
  const conv: [Dir, string][] = [
    [1, '220-mx.example.com ESMTP Exim 4.69\r\n220-We do not authorize bulk e-mail.\r\n220 and/or bulk e-mail.\r\n'],
    [0, 'EHLO GP\r\n'],
    [1, '250-mx.example.com Hello GP\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n'],
    [0, 'AUTH LOGIN\r\n'],
    [1, '334 VXNlcm5hbWU6\r\n'],
    [0, `${b64('gurpartap@patriots.in')}\r\n`],
    [1, '334 UGFzc3dvcmQ6\r\n'],
    [0, `${b64('punjab@123')}\r\n`],
    [1, '235 Authentication succeeded\r\n'],
    [0, 'MAIL FROM: <a@example.com>\r\n'],
    [1, '250 OK\r\n'],
    [0, 'RCPT TO: <b@example.com>\r\nDATA\r\n'],
    [1, '250 Accepted\r\n354 Enter message\r\n'],
    [0, 'Subject: hi\r\n\r\nMAIL FROM: <not-a-command>\r\n..dot-stuffed\r\n'],
    [0, 'bye\r\n.\r\n'],
    [1, '250 OK id=1\r\n'],
    [0, 'QUIT\r\n'],
    [1, '221 closing\r\n'],
  ];

  it('dissects multi-line replies on the frame of their last line', () => {
    const { frames } = run(new SmtpParser(INFO), conv);
    expect(frames[0]!.cols).toEqual([['SMTP', 'S: 220-mx.example.com ESMTP Exim 4.69 | We do not authorize bulk e-mail. | and/or bulk e-mail.']]);
    expect(frames[0]!.fields.slice(0, 4)).toEqual([
      ['smtp.rsp', 1],
      ['smtp.response', '220-mx.example.com ESMTP Exim 4.69\r\n'],
      ['smtp.response.code', 220],
      ['smtp.rsp.parameter', 'mx.example.com ESMTP Exim 4.69'],
    ]);
    expect(frames[11]!.cols).toEqual([['SMTP', 'C: RCPT TO: <b@example.com> | DATA']]);
  });

  it('records AUTH LOGIN decoded, with success, and masks it in events', () => {
    const { frames, all } = run(new SmtpParser(INFO), conv);
    expect(creds(all).map((c) => [c.user, c.secret, c.success, c.frame])).toEqual([['gurpartap@patriots.in', 'punjab@123', true, 8]]);
    expect(frames[5]!.fields).toEqual([
      ['smtp.req', 1],
      ['smtp.auth.username', b64('gurpartap@patriots.in')],
    ]);
    expect(frames[7]!.cols).toEqual([['SMTP', `C: Pass: ${b64('punjab@123')}`]]);
    expect(JSON.stringify(events(all))).not.toContain(b64('punjab@123'));
  });

  it('skips the DATA body (no commands parsed inside it) and resumes after the lone dot', () => {
    const { frames, all } = run(new SmtpParser(INFO), conv);
    expect(frames[13]!.fields).toEqual([]);
    expect(frames[13]!.cols).toEqual([['SMTP', 'C: DATA fragment, 58 bytes']]);
    const cmds = events(all)
      .filter((e) => e.event === 'command')
      .map((e) => e.text);
    expect(cmds).toEqual(['EHLO GP', 'AUTH LOGIN', 'MAIL FROM: <a@example.com>', 'RCPT TO: <b@example.com>', 'DATA', 'QUIT']);
    expect(events(all).find((e) => e.event === 'message')?.details).toMatchObject({ from: '<a@example.com>', to: '<b@example.com>' });
  });

  it('gives the same fields and records whatever the segmentation (fast-check)', () => {
    const whole = run(new SmtpParser(INFO), conv).all;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), (n) => {
        const split = run(new SmtpParser(INFO), conv, n).all;
        expect(split.fields).toEqual(whole.fields);
        expect(split.records.filter((r) => r.kind === 'credential').map((r) => ({ ...r, frame: 0 }))).toEqual(whole.records.filter((r) => r.kind === 'credential').map((r) => ({ ...r, frame: 0 })));
      }),
    );
  });

  it('records AUTH PLAIN with an initial response and a 535 failure', () => {
    const { all } = run(new SmtpParser(INFO), [
      [1, '220 mx ESMTP\r\n'],
      [0, `AUTH PLAIN ${b64('\u0000bob\u0000wrong')}\r\n`],
      [1, '535 5.7.8 Authentication credentials invalid\r\n'],
      [0, 'AUTH PLAIN\r\n'],
      [1, '334 \r\n'],
      [0, `${b64('\u0000bob\u0000right')}\r\n`],
      [1, '235 ok\r\n'],
    ]);
    expect(creds(all).map((c) => [c.user, c.secret, c.success])).toEqual([
      ['bob', 'wrong', false],
      ['bob', 'right', true],
    ]);
    expect(events(all).find((e) => e.event === 'command')?.text).toBe('AUTH PLAIN ********');
  });

  it('leaves DATA mode when the server refuses DATA, and notes STARTTLS', () => {
    const p = new SmtpParser(INFO);
    const { all } = run(p, [
      [1, '220 mx ESMTP\r\n'],
      [0, 'DATA\r\n'],
      [1, '554 no valid recipients\r\n'],
      [0, 'STARTTLS\r\n'],
      [1, '220 go ahead\r\n'],
      [0, 'EHLO after-tls\r\n'],
    ]);
    expect(p.tlsStarted).toBe(true);
    expect(events(all).map((e) => `${e.event}:${e.text}`)).toEqual(['banner:220 mx ESMTP', 'command:DATA', 'command:STARTTLS', 'starttls:220 go ahead']);
  });
});

describe('Pop3Parser', () => {
  it('records USER/PASS and APOP logins with their outcome; RETR bodies are skipped', () => {
    const { frames, all } = run(new Pop3Parser(INFO), [
      [1, '+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n'],
      [0, 'USER mrose\r\n'],
      [1, '+OK\r\n'],
      [0, 'PASS tanstaaf\r\n'],
      [1, '-ERR invalid password\r\n'],
      [0, 'APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n'],
      [1, '+OK maildrop has 1 message\r\n'],
      [0, 'RETR 1\r\n'],
      [1, '+OK 120 octets\r\nUSER evil\r\n.\r\n'],
      [0, 'QUIT\r\n'],
    ]);
    expect(creds(all).map((c) => [c.user, c.secret, c.crackable, c.success])).toEqual([
      ['mrose', 'tanstaaf', null, false],
      ['mrose', null, 'c4c9334bac560ecc979e58001b3e22fb:<1896.697170952@dbc.mtview.ca.us>', true],
    ]);
    expect(frames[3]!.fields).toEqual([
      ['pop.request', 'PASS tanstaaf\r\n'],
      ['pop.request.command', 'PASS'],
      ['pop.request.parameter', 'tanstaaf'],
    ]);
    expect(frames[4]!.cols).toEqual([['POP', 'S: -ERR invalid password']]);
    const texts = events(all).map((e) => e.text);
    expect(texts).toContain('PASS ********');
    expect(texts).toContain('APOP mrose ********');
    expect(texts).toContain('QUIT');
  });

  it('records AUTH PLAIN sent after the continuation', () => {
    const { all } = run(new Pop3Parser(INFO), [
      [1, '+OK ready\r\n'],
      [0, 'AUTH PLAIN\r\n'],
      [1, '+ \r\n'],
      [0, `${b64('\u0000carol\u0000pw')}\r\n`],
      [1, '+OK logged in\r\n'],
    ]);
    expect(creds(all).map((c) => [c.user, c.secret, c.success])).toEqual([['carol', 'pw', true]]);
  });
});

describe('ImapParser', () => {
  it('records LOGIN (quoted strings) by its tagged reply, with Wireshark fields', () => {
    const { frames, all } = run(new ImapParser(INFO), [
      [1, '* OK IMAP4rev1 Service Ready\r\n'],
      [0, 'a001 LOGIN "mrc" "sec ret"\r\n'],
      [1, 'a001 NO LOGIN failed\r\n'],
      [0, 'a002 LOGIN mrc secret\r\n'],
      [1, 'a002 OK LOGIN completed\r\n'],
      [0, 'a003 FETCH 1 BODY[]\r\n'],
      [1, '* 1 FETCH (BODY[] {22}\r\na004 LOGIN evil evil\r\n)\r\na003 OK done\r\n'],
    ]);
    expect(creds(all).map((c) => [c.user, c.secret, c.success])).toEqual([
      ['mrc', 'sec ret', false],
      ['mrc', 'secret', true],
    ]);
    expect(frames[1]!.fields).toEqual([
      ['imap.isrequest', 1],
      ['imap.line', 'a001 LOGIN "mrc" "sec ret"\r\n'],
      ['imap.request', 'a001 LOGIN "mrc" "sec ret"'],
      ['imap.request_tag', 'a001'],
      ['imap.request.command', 'LOGIN'],
      ['imap.request.username', 'mrc'],
      ['imap.request.password', 'sec ret'],
    ]);
    expect(events(all).map((e) => e.text)).toContain('a002 LOGIN mrc ********');
  });

  it('records AUTHENTICATE PLAIN continuation data and notes STARTTLS', () => {
    const p = new ImapParser(INFO);
    const { all } = run(p, [
      [1, '* OK ready\r\n'],
      [0, 'A1 AUTHENTICATE PLAIN\r\n'],
      [1, '+ \r\n'],
      [0, `${b64('\u0000dave\u0000pw1')}\r\n`],
      [1, 'A1 OK authenticated\r\n'],
      [0, 'A2 STARTTLS\r\n'],
      [1, 'A2 OK begin TLS\r\n'],
    ]);
    expect(creds(all).map((c) => [c.user, c.secret, c.success])).toEqual([['dave', 'pw1', true]]);
    expect(p.tlsStarted).toBe(true);
  });
});

describe('robustness', () => {
  const makers: (() => TcpParser)[] = [() => new FtpParser(INFO), () => new SmtpParser(INFO), () => new Pop3Parser(INFO), () => new ImapParser(INFO)];
  it('random bytes, gaps and ends never throw (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.tuple(fc.constantFrom<Dir>(0, 1), fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(enc('AUTH LOGIN\r\n'), enc('DATA\r\n'), enc('354 go\r\n'), enc('+OK\r\n'), enc('{99999}\r\n'), enc('a AUTHENTICATE PLAIN\r\n'))), fc.boolean()), { maxLength: 30 }),
        (which, steps) => {
          const p = makers[which]!();
          const sink = new Sink();
          let frame = 0;
          for (const [dir, bytes, gap] of steps) {
            const ctx = { frame: ++frame, tsSec: 0, tsNsec: 0, sink };
            if (gap) p.gap(dir, bytes.length + 1, ctx);
            p.data(dir, bytes, ctx);
          }
          p.end(0, null);
          p.end(1, { frame: frame + 1, tsSec: 0, tsNsec: 0, sink });
          expect(sink.anomalies.filter((a) => a.includes('dissector error'))).toEqual([]);
        },
      ),
    );
  });
});
