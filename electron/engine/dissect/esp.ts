/**
 * IPsec ESP (RFC 4303): only the clear SPI and sequence number; the rest is encrypted.
 *
 *   +---------------------------+---------------------------+---------------
 *   | Security Parameters Index | Sequence Number           | payload ...
 *   +---------------------------+---------------------------+---------------
 */
import { need, type Ctx } from './ctx.js';
import { hex8, u32At } from './format.js';

export function dissectEsp(c: Ctx, off: number, end: number, rend: number): void {
  c.layer = 'esp';
  c.push('esp');
  const s = c.s;
  if (c.quoted === 0) {
    s.protocol = 'ESP';
    s.info = '';
  }
  need(off, 8, end, rend);
  const spi = u32At(c.data, off);
  const seq = u32At(c.data, off + 4);
  if (c.quoted === 0) s.info = `ESP (SPI=0x${hex8(spi)})`;
  const t = c.tree;
  if (t !== null) {
    t.open(`Encapsulating Security Payload`, off, rend - off, 'esp');
    t.add(`ESP SPI: 0x${hex8(spi)} (${spi})`, off, 4, 'esp.spi', spi);
    t.add(`ESP Sequence: ${seq}`, off + 4, 4, 'esp.sequence', seq);
    t.close();
  }
}
