/**
 * What the per-protocol corpus tests (electron/engine/analyze/*.corpus.test.ts) share: the
 * capture's frames read into memory, a sink that collects what an analyzer reports for one
 * frame, and the protocol/field names tshark's PDML shows per frame.
 */
import { spawnSync } from 'node:child_process';
import { createParser, detectFormat, openCaptureStream } from '../../electron/engine/capture/detect.js';
import type { CaptureRecord } from '../../electron/engine/capture/types.js';
import type { AppRecord, AppSink, AppValue } from '../../electron/engine/analyze/types.js';

export interface CapturedFrame {
  data: Uint8Array;
  linktype: number;
  origlen: number;
}

/** Every frame of a capture, in order (bytes copied: the reader reuses its record). */
export async function readFrames(path: string): Promise<CapturedFrame[]> {
  const stream = await openCaptureStream(path);
  const frames: CapturedFrame[] = [];
  let parser: ReturnType<typeof createParser> | null = null;
  const onRecord = (rec: CaptureRecord): void => {
    frames.push({ data: rec.data.slice(), linktype: rec.linktype, origlen: rec.origlen });
  };
  for await (const chunk of stream.chunks) {
    if (parser === null) {
      const d = detectFormat(chunk);
      if (!('format' in d)) throw new Error(`not a capture: ${path}`);
      parser = createParser(d.format, onRecord);
    }
    parser.push(chunk);
  }
  parser?.end();
  return frames;
}

/** Collects what an analyzer reports for one frame. */
export class FrameSink implements AppSink {
  fields: [string, AppValue][] = [];
  cols: [string, string][] = [];
  anomalies: string[] = [];
  records: AppRecord[] = [];
  field(name: string, value: AppValue): void {
    this.fields.push([name, value]);
  }
  columns(protocol: string, info: string): void {
    this.cols.push([protocol, info]);
  }
  anomaly(layer: string, detail: string): void {
    this.anomalies.push(`${layer}: ${detail}`);
  }
  record(r: AppRecord): void {
    this.records.push(r);
  }
}

/** The protocol and field names tshark's PDML shows in each frame (frame number → names). */
export function pdmlNames(path: string): Map<number, string[]> {
  const r = spawnSync('tshark', ['-n', '-r', path, '-o', 'tcp.reassemble_out_of_order:TRUE', '-T', 'pdml'], {
    encoding: 'utf8',
    env: { ...process.env, WIRESHARK_CONFIG_DIR: '/nonexistent', TZ: 'UTC' },
    maxBuffer: 256 * 1024 * 1024,
  });
  const out = new Map<number, string[]>();
  let cur: string[] = [];
  let no = 0;
  for (const m of r.stdout.matchAll(/<packet>|<(?:proto|field) name="([^"]+)"/g)) {
    if (m[0] === '<packet>') {
      cur = [];
      out.set(++no, cur);
    } else if (m[1] !== undefined) cur.push(m[1]);
  }
  return out;
}
