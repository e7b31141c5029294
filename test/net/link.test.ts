import { describe, expect, it } from 'vitest';
import { decodeLink, LINK_ANOMALY_NAMES, LinkAnomaly, MAX_VLAN_TAGS } from '../../src/net/link';
import { createLinkView } from '../../src/net/types';
import { capture, ethernet, hex, Prng } from './packets';

const view = createLinkView();

describe('decodeLink: annotated vectors', () => {
  it('Ethernet II, untagged IPv4', () => {
    const f = hex(
      '00e018b10cad', // destination MAC
      '00600845e455', // source MAC
      '0800', //         EtherType IPv4
      '4500', //         first octets of the IP header
    );
    expect(decodeLink(1, f, 0, f.length, view)).toBe(LinkAnomaly.Ok);
    expect(view).toEqual({ etherType: 0x0800, start: 14, vlanCount: 0, vlanId: -1 });
  });

  it('802.1Q VLAN tag', () => {
    const f = hex(
      '00e018b10cad 00600845e455', // MACs
      '8100', //  TPID 802.1Q
      'a064', //  TCI: PCP 5, DEI 0, VID 100
      '86dd', //  EtherType IPv6
      '6000',
    );
    expect(decodeLink(1, f, 0, f.length, view)).toBe(LinkAnomaly.Ok);
    expect(view).toEqual({ etherType: 0x86dd, start: 18, vlanCount: 1, vlanId: 100 });
  });

  it('QinQ: 802.1ad S-TAG then 802.1Q C-TAG', () => {
    const f = hex(
      '00e018b10cad 00600845e455', // MACs
      '88a8', '0c8a', //              S-TAG, VID 0xc8a = 3210 (outermost)
      '8100', '0014', //              C-TAG, VID 20
      '0800', //                      EtherType IPv4
      '45',
    );
    expect(decodeLink(1, f, 0, f.length, view)).toBe(LinkAnomaly.Ok);
    expect(view).toEqual({ etherType: 0x0800, start: 22, vlanCount: 2, vlanId: 3210 });
  });

  it('legacy 0x9100 tag and a non-IP EtherType (ARP) is Ok, not an anomaly', () => {
    const f = ethernet(0x0806, Buffer.alloc(28), [[0x9100, 7]]);
    expect(decodeLink(1, f, 0, f.length, view)).toBe(LinkAnomaly.Ok);
    expect(view).toEqual({ etherType: 0x0806, start: 18, vlanCount: 1, vlanId: 7 });
  });

  it(`more than ${MAX_VLAN_TAGS} tags is too_many_vlan_tags; exactly ${MAX_VLAN_TAGS} is fine`, () => {
    const tags = (n: number): Array<[number, number]> => Array.from({ length: n }, (_, i) => [0x8100, i + 1]);
    const ok = ethernet(0x0800, hex('45'), tags(MAX_VLAN_TAGS));
    expect(decodeLink(1, ok, 0, ok.length, view)).toBe(LinkAnomaly.Ok);
    expect(view.vlanCount).toBe(MAX_VLAN_TAGS);
    expect(view.start).toBe(14 + 4 * MAX_VLAN_TAGS);
    const bad = ethernet(0x0800, hex('45'), tags(MAX_VLAN_TAGS + 1));
    expect(decodeLink(1, bad, 0, bad.length, view)).toBe(LinkAnomaly.TooManyVlanTags);
    expect(LINK_ANOMALY_NAMES[LinkAnomaly.TooManyVlanTags]).toBe('too_many_vlan_tags');
  });

  it('Linux SLL (113): 16-octet header, protocol field', () => {
    const f = hex(
      '0000', //             packet type: unicast to us
      '0304', //             ARPHRD 772 (loopback)
      '0006', //             address length 6
      '000000000000 0000', // address (8 octets, 6 used)
      '0800', //             protocol IPv4
      '4500',
    );
    expect(decodeLink(113, f, 0, f.length, view)).toBe(LinkAnomaly.Ok);
    expect(view).toEqual({ etherType: 0x0800, start: 16, vlanCount: 0, vlanId: -1 });
  });

  it('Linux SLL2 (276): 20-octet header, protocol first', () => {
    const f = hex(
      '86dd', //             protocol IPv6
      '0000', //             reserved
      '00000003', //         interface index 3
      '0001', //             ARPHRD 1 (Ethernet)
      '00', //               packet type: unicast to us
      '06', //               address length
      '00600845e4550000', // address
      '6000',
    );
    expect(decodeLink(276, f, 0, f.length, view)).toBe(LinkAnomaly.Ok);
    expect(view).toEqual({ etherType: 0x86dd, start: 20, vlanCount: 0, vlanId: -1 });
  });

  it('SLL2 with a VLAN tag left in place', () => {
    const f = hex('8100 0000 00000003 0001 00 06 00600845e4550000', '0064 0800', '45');
    expect(decodeLink(276, f, 0, f.length, view)).toBe(LinkAnomaly.Ok);
    expect(view).toEqual({ etherType: 0x0800, start: 24, vlanCount: 1, vlanId: 100 });
  });

  it('RAW (101) and IPV4 / IPV6 (228 / 229) by version nibble', () => {
    const v4 = hex('45000014');
    const v6 = hex('60000000');
    expect(decodeLink(101, v4, 0, 4, view)).toBe(LinkAnomaly.Ok);
    expect(view.etherType).toBe(0x0800);
    expect(view.start).toBe(0);
    expect(decodeLink(101, v6, 0, 4, view)).toBe(LinkAnomaly.Ok);
    expect(view.etherType).toBe(0x86dd);
    expect(decodeLink(228, v4, 0, 4, view)).toBe(LinkAnomaly.Ok);
    expect(decodeLink(229, v6, 0, 4, view)).toBe(LinkAnomaly.Ok);
    expect(decodeLink(228, v6, 0, 4, view)).toBe(LinkAnomaly.BadIpVersion);
    expect(decodeLink(101, hex('50'), 0, 1, view)).toBe(LinkAnomaly.BadIpVersion);
    expect(decodeLink(101, v4, 0, 0, view)).toBe(LinkAnomaly.Truncated);
  });

  it('NULL (0) in both byte orders and LOOP (108)', () => {
    const le = hex('02000000', '45'); // AF_INET, little-endian host
    expect(decodeLink(0, le, 0, le.length, view)).toBe(LinkAnomaly.Ok);
    expect(view.etherType).toBe(0x0800);
    expect(view.start).toBe(4);
    const be = hex('0000001e', '60'); // AF_INET6 on Darwin (30), big-endian host
    expect(decodeLink(0, be, 0, be.length, view)).toBe(LinkAnomaly.Ok);
    expect(view.etherType).toBe(0x86dd);
    const loop = hex('00000018', '60'); // LOOP: network order, AF_INET6 24 (OpenBSD)
    expect(decodeLink(108, loop, 0, loop.length, view)).toBe(LinkAnomaly.Ok);
    expect(view.etherType).toBe(0x86dd);
    const other = hex('07000000', '00'); // unknown family: not IP, not an anomaly
    expect(decodeLink(0, other, 0, other.length, view)).toBe(LinkAnomaly.Ok);
    expect(view.etherType).toBe(0);
  });

  it('unknown link type is unsupported_link_type', () => {
    const f = hex('00'.repeat(40));
    expect(decodeLink(127, f, 0, f.length, view)).toBe(LinkAnomaly.UnsupportedLinkType);
    expect(LINK_ANOMALY_NAMES[LinkAnomaly.UnsupportedLinkType]).toBe('unsupported_link_type');
  });

  it('honours start/end: a frame inside a larger buffer', () => {
    const f = Buffer.concat([hex('ffffffff'), ethernet(0x0800, hex('45')), hex('eeee')]);
    expect(decodeLink(1, f, 4, f.length - 2, view)).toBe(LinkAnomaly.Ok);
    expect(view.start).toBe(18);
    expect(decodeLink(1, f, 4, 4 + 13, view)).toBe(LinkAnomaly.Truncated);
  });
});

describe('decodeLink: real captures', () => {
  it('zeek/sctp.pcap: Ethernet, IPv4 on every frame', () => {
    // tshark: all 74 frames are eth:ethertype:ip:sctp
    const recs = capture('zeek/sctp.pcap');
    expect(recs.length).toBe(74);
    for (const r of recs) {
      expect(decodeLink(r.linkType, r.data, 0, r.data.length, view)).toBe(LinkAnomaly.Ok);
      expect(view.etherType).toBe(0x0800);
      expect(view.start).toBe(14);
    }
  });

  it('open5gs/srsenb.pcapng: Linux SLL v1, IPv4', () => {
    // tshark: "Linux cooked capture v1", frame 1 protocol IPv4 (0x0800)
    const recs = capture('open5gs/srsenb.pcapng');
    expect(recs[0].linkType).toBe(113);
    expect(decodeLink(113, recs[0].data, 0, recs[0].data.length, view)).toBe(LinkAnomaly.Ok);
    expect(view.etherType).toBe(0x0800);
    expect(view.start).toBe(16);
  });

  it('nDPI/gtp_prime.pcapng: double VLAN', () => {
    // README: "GTP' Data Record Transfer Request (port 3386, double VLAN)"
    const r = capture('nDPI/gtp_prime.pcapng')[0];
    expect(decodeLink(r.linkType, r.data, 0, r.data.length, view)).toBe(LinkAnomaly.Ok);
    expect(view.vlanCount).toBe(2);
    expect(view.etherType).toBe(0x0800);
    expect(view.start).toBe(22);
  });
});

describe('decodeLink: robustness', () => {
  it('truncation at every byte boundary never throws', () => {
    const f = ethernet(0x0800, hex('4500'), [[0x88a8, 1], [0x8100, 2]]);
    for (let n = 0; n <= f.length; n++) {
      for (const lt of [0, 1, 101, 108, 113, 228, 229, 276]) {
        const code = decodeLink(lt, f, 0, n, view);
        expect(code).toBeGreaterThanOrEqual(0);
        expect(code).toBeLessThan(LINK_ANOMALY_NAMES.length);
        if (code === LinkAnomaly.Ok) expect(view.start).toBeLessThanOrEqual(n);
      }
    }
  });

  it('fuzz: 120k random and mutated frames', () => {
    const rng = new Prng(0x11);
    const seeds = [
      ethernet(0x0800, hex('45'), [[0x88a8, 1], [0x8100, 2]]),
      hex('8100 0000 00000003 0001 00 06 00600845e4550000 0064 0800 45'),
      hex('0000 0304 0006 0000000000000000 8100 0001 86dd'),
    ];
    const linkTypes = [0, 1, 101, 108, 113, 228, 229, 276, 127];
    let checked = 0;
    for (let i = 0; i < 120_000; i++) {
      const f = i & 1 ? rng.mutate(seeds[rng.int(seeds.length)]) : rng.bytes(rng.int(48));
      const pre = rng.int(3);
      const buf = Buffer.concat([Buffer.alloc(pre), f, Buffer.alloc(2)]);
      const start = pre;
      const end = pre + f.length;
      const code = decodeLink(linkTypes[rng.int(linkTypes.length)], buf, start, end, view);
      if (code < 0 || code >= LINK_ANOMALY_NAMES.length) throw new Error(`bad code ${code}`);
      if (code === LinkAnomaly.Ok && (view.start < start || view.start > end)) throw new Error('start out of range');
      checked++;
    }
    expect(checked).toBe(120_000);
  });
});
