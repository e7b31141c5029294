import { describe, expect, it } from 'vitest';
import { addrPairText, ipv4Text, ipv6Text } from '../../src/net/addrText';
import { AddrPair } from '../../src/net/addrKey';
import { hex } from '../helpers/hex';

describe('IP address text', () => {
  it('IPv4 dotted quad', () => {
    expect(ipv4Text(0xc0000201)).toBe('192.0.2.1');
    expect(ipv4Text(0xffffffff)).toBe('255.255.255.255');
    expect(ipv4Text(0)).toBe('0.0.0.0');
  });

  it('IPv6 in RFC 5952 form', () => {
    expect(ipv6Text(hex('20010db8000000000000000000000001'), 0)).toBe('2001:db8::1');
    expect(ipv6Text(hex('00000000000000000000000000000000'), 0)).toBe('::');
    expect(ipv6Text(hex('00000000000000000000000000000001'), 0)).toBe('::1');
    // §4.2.2: a single zero group is not shortened; §4.2.3: the first of equal runs is.
    expect(ipv6Text(hex('20010db8000000010001000100010001'), 0)).toBe('2001:db8:0:1:1:1:1:1');
    expect(ipv6Text(hex('20010db8000000000001000000000001'), 0)).toBe('2001:db8::1:0:0:1');
    expect(ipv6Text(hex('20010db8000000000001000000000000'), 0)).toBe('2001:db8:0:0:1::'); // the longer run wins
    expect(ipv6Text(hex('ff020000000000000000000000000002'), 0)).toBe('ff02::2');
  });

  it('address pairs', () => {
    const p = new AddrPair();
    p.version = 4;
    p.a4 = 0x0a000001;
    p.b4 = 0x0a000002;
    expect([addrPairText(p, false), addrPairText(p, true)]).toEqual(['10.0.0.1', '10.0.0.2']);
    p.version = 6;
    p.a6 = Buffer.concat([hex('20010db8000000000000000000000001'), hex('20010db8000000000000000000000002')]);
    expect([addrPairText(p, false), addrPairText(p, true)]).toEqual(['2001:db8::1', '2001:db8::2']);
  });
});
