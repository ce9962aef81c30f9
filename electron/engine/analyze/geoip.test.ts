import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tmpDir } from '../../../test/support/shared.js';
import { GeoIp, countryName, loadV4Table, parseIpv4, parseIpv6, reservedRange } from './geoip.js';

const tmp = tmpDir('th-geoip-');
afterAll(() => tmp.cleanup());

// Tiny fixtures in the @ip-location-db CSV formats (address text; one file in the -num form).
const files = {
  countryV4: join(tmp.dir, 'country-v4.csv'),
  countryV6: join(tmp.dir, 'country-v6.csv'),
  asnV4: join(tmp.dir, 'asn-v4.csv'),
  asnV6: join(tmp.dir, 'asn-v6-num.csv'),
};
writeFileSync(files.countryV4, '1.0.0.0,1.0.0.255,AU\n1.0.1.0,1.0.3.255,CN\n8.8.8.0,8.8.8.255,US\n');
writeFileSync(files.countryV6, '2001:200::,2001:200:ffff:ffff:ffff:ffff:ffff:ffff,JP\n2a00:1450::,2a00:1450:ffff:ffff:ffff:ffff:ffff:ffff,IE\n');
writeFileSync(files.asnV4, '1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."\n8.8.8.0,8.8.8.255,15169,Google LLC\n');
writeFileSync(files.asnV6, '42540528726795050063891204319802818560,42540528727329395276160870415022948351,2500,WIDE Project\n');

describe('GeoIp', () => {
  const geo = new GeoIp(files);

  it('answers countries for IPv4, IPv6 and IPv4-mapped IPv6 by binary search over the ranges', () => {
    expect(geo.lookupCountry('1.0.2.7')).toEqual({ cc: 'CN', name: 'China' });
    expect(geo.lookupCountry('8.8.8.8')).toEqual({ cc: 'US', name: 'United States' });
    expect(geo.lookupCountry('::ffff:1.0.0.1')).toEqual({ cc: 'AU', name: 'Australia' });
    expect(geo.lookupCountry('2001:200::1')).toEqual({ cc: 'JP', name: 'Japan' });
    expect(geo.lookupCountry('2a00:1450:4001:81c::200e')?.cc).toBe('IE');
    expect(geo.lookupCountry('1.0.4.0')).toBeNull(); // between ranges
    expect(geo.lookupCountry('9.9.9.9')).toBeNull(); // after the last
    expect(geo.lookupCountry('not an address')).toBeNull();
  });

  it('answers AS numbers and organisations (quoted CSV, numeric IPv6 bounds)', () => {
    expect(geo.lookupAsn('1.0.0.200')).toEqual({ asn: 13335, org: 'Cloudflare, Inc.' });
    expect(geo.lookupAsn('2001:200:0:1::5')).toEqual({ asn: 2500, org: 'WIDE Project' });
    expect(geo.lookupAsn('8.8.4.4')).toBeNull();
  });

  it('answers private and reserved ranges without a database', () => {
    const none = new GeoIp({});
    expect(none.lookupCountry('192.168.1.10')).toEqual({ cc: 'private', name: 'Private network (RFC 1918)' });
    expect(none.lookupCountry('172.31.255.255')?.cc).toBe('private');
    expect(none.lookupCountry('172.32.0.1')).toBeNull();
    expect(none.lookupAsn('fe80::1')).toEqual({ asn: 0, org: 'Link-local (RFC 4291)' });
    expect(reservedRange('100.64.0.1')).toBe('Shared address space (RFC 6598)');
    expect(reservedRange('224.0.0.251')).toBe('Multicast (RFC 5771)');
    expect(reservedRange('255.255.255.255')).toBe('Limited broadcast (RFC 919)');
    expect(reservedRange('::1')).toBe('Loopback (RFC 4291)');
    expect(reservedRange('fd12::1')).toBe('Unique local address (RFC 4193)');
    expect(reservedRange('::ffff:10.1.2.3')).toBe('Private network (RFC 1918)');
    expect(reservedRange('8.8.8.8')).toBeNull();
  });

  it('missing files answer null (no exception)', () => {
    const g = new GeoIp({ countryV4: join(tmp.dir, 'nope.csv') });
    expect(g.lookupCountry('8.8.8.8')).toBeNull();
  });

  it('sorts unsorted tables and skips malformed rows', () => {
    const t = loadV4Table('8.8.8.0,8.8.8.255,US\ngarbage\n1.0.0.0,1.0.0.255,AU\n5.5.5.5,1.1.1.1,XX\n', false);
    expect([...t.starts]).toEqual([parseIpv4('1.0.0.0'), parseIpv4('8.8.8.0')]);
  });

  it('parses IPv6 text forms (RFC 4291 §2.2)', () => {
    expect(parseIpv6('::')).toBe(0n);
    expect(parseIpv6('::1')).toBe(1n);
    expect(parseIpv6('1:2:3:4:5:6:7:8')).toBe(0x00010002000300040005000600070008n);
    expect(parseIpv6('::ffff:1.2.3.4')).toBe(0xffff01020304n);
    expect(parseIpv6('fe80::1%eth0')).toBe((0xfe80n << 112n) | 1n);
    expect(parseIpv6('1::2::3')).toBeNull();
    expect(parseIpv6('1:2:3:4:5:6:7:8:9')).toBeNull();
    expect(countryName('ZZ')).toBeTypeOf('string');
  });
});
