/**
 * PcapReader on every capture of /work/shared (read-only inputs): packet count, link types,
 * first / last timestamps and a digest of every frame must equal tshark's view.
 *
 * Expected values measured with tshark 4.0.17 (and `capinfos -c`, which agrees on every count):
 *   tshark -r F -o frame.generate_md5_hash:TRUE -T fields -E separator='|' -e frame.number
 *     -e frame.time_epoch -e frame.cap_len -e frame.len -e frame.encap_type -e frame.md5_hash
 * digest = sha256 of the lines "frame tsUs subUsNs capLen origLen linkType md5" joined by "\n",
 * where tsUs / subUsNs split frame.time_epoch at the microsecond and linkType maps tshark's
 * encap (1 ether → 1, 25 linux-sll → 113).
 */
import { createHash } from 'crypto';
import { existsSync, readdirSync } from 'fs';
import { describe, expect, it } from 'vitest';
import { PcapReader } from '../../src/capture/pcapReader';

const SHARED = '/work/shared/';

// [file under /work/shared, packets, link types, first tsUs, last tsUs, digest]
const ORACLE: readonly [string, number, number[], number, number, string][] = [
  ['captures/peers/diameter-freediameter-s6a.pcapng', 158, [1], 1795280494042068, 1795280505014737, '5bf37be4d57b2a8c6a74112f1e0083b572de15fc4aa5ace7c7ebccffc35ed5c9'],
  ['captures/peers/gtpv1-osmo-ggsn.pcapng', 1359, [1], 1795280579757164, 1795280604594857, 'c4b7acdcc131eabab79044f684b2f3fe2d855315b2d5653c709ec645b7285a7f'],
  ['captures/public/arkime/arkime_synthetic.pcap', 918, [1], 1700000100010000, 1700009300200000, 'b35cbc36340d6aa45beafd2f22ad94739919e06542137529ea2da15337ed4a2d'],
  ['captures/public/arkime/diameter_synthetic.pcap', 22, [1], 1770203753489807, 1770203774489807, 'bca6332f4cf3617df7a454fd6b35a19685d793497fda885efdca3209b6962f88'],
  ['captures/public/arkime/m3ua_synthetic.pcap', 90, [1], 1781048076732155, 1781049300150000, 'b6c389c7089e11c1507b551d9738e6b4f94fcea9bbdf62eace5bddaf9a75f531'],
  ['captures/public/arkime/sctp-www.pcap', 84, [1], 1137034844756614, 1137034859213833, '8143a9ff2a880d8f954b5ac14660138993f08b35066e3622d403ee48cd672f6d'],
  ['captures/public/magma/gx_gy_combined_03_210505_132953-1.pcapng', 291, [1], 1620246594903022, 1620246625232199, '0628d33706f9a0c654d74a029a9c16c794fe6d5e54344f27736332066ab573a2'],
  ['captures/public/magma/gx_gy_combined_04_210505_133027-1.pcapng', 4070, [1], 1620246629559373, 1620246667763531, 'ac60603d3ac4613f32bdf709046eea3298334a40482445b19d956e4206a60860'],
  ['captures/public/magma/gx_gy_combined_05_210505_133111-1.pcapng', 152, [1], 1620246671804516, 1620246689812110, '73f63daafb9985a9dc27384343467206d32e2102dbfc7b4b20148baf814ee537'],
  ['captures/public/magma/gx_gy_combined_06_210505_133132-1.pcapng', 143, [1], 1620246693012790, 1620246710263472, 'fd776b450f043e6524b34b37bd4c56abafef076112208111ddeffa8d7f1cc75b'],
  ['captures/public/magma/inbound_roaming_01_210505_130828-1.pcapng', 240, [1], 1620245309939389, 1620245342544983, 'aae2325f86fef51c154f690cd131e73b62c807daa4d5f82257681a2a5e80afc7'],
  ['captures/public/magma/inbound_roaming_05_210504_215514-1.pcapng', 257, [1], 1620190515315531, 1620190548917374, 'f30bdacd88dae5961faea642aca65f234fdaef429933f1ddefc0a5a9263888ba'],
  ['captures/public/magma/nsa_connection.pcap', 70, [113], 1609859371516218, 1609859457470201, '845797be0bae0d2e726d06be6b22e6975974fa03291deaa1140507503f611313'],
  ['captures/public/nDPI/diameter.pcap', 6, [1], 1263278878271686, 1263278878357703, '9a94654d85e5f9c681a5062cc24753f1153f0a3078b8249a7f62b78029d14bc3'],
  ['captures/public/nDPI/gtp_c.pcap', 4, [1], 1614767558813421, 1614767558815505, 'ca93c7d393885392ebae8d140e847695c171c54b82d87fd0dd9ca1ef7a1210a1'],
  ['captures/public/nDPI/gtp_false_positive.pcapng', 7, [1], 1638856441836839, 1640630605457589, 'ec0d91bfa4f806e11b73df8fc39672a733d2d7383174a8cde22642fb7ce4b9e8'],
  ['captures/public/nDPI/gtp_prime.pcapng', 1, [1], 1424882324190538, 1424882324190538, '08b7f07e8bca1bc923a75347c199d96eeaf8f18847f7d3591385fefca28136ce'],
  ['captures/public/open5gs/ipsec_reg.pcapng', 1071, [113], 1587110456046480, 1587110471162431, '925937eb4e5e12eed967a114f22da457cd8cd5c63e324ddeb7deb9b5722087f9'],
  ['captures/public/open5gs/ipsec_to_ipsec_call.pcapng', 1715, [113], 1587118714994364, 1587118724338249, '27488de078c69232910bb63db1f63f915b54d96131ae71a47d9f374b3f8d6c9b'],
  ['captures/public/open5gs/ipsec_to_nonipsec_call.pcapng', 1474, [113], 1587113958696897, 1587113970894637, '887a95deff8d432fd534c2bc691cc53fa92a81d099171c8b3070924b49e1704a'],
  ['captures/public/open5gs/nonipsec_reg.pcapng', 873, [113], 1587110432370372, 1587110440415389, '4dcac301f3e4e708ca2721c3756a94c2e8e7bc640e952616e88aed2e36a26e48'],
  ['captures/public/open5gs/nonipsec_to_ipsec_call.pcapng', 3278, [113], 1587108154055643, 1587108186237543, '94f49361ac6ff492d19a98cc0a883f8c1afbeee77caa6db30c970df60e7e42d8'],
  ['captures/public/open5gs/srsenb.pcapng', 1928, [113], 1670723461906315, 1670723490227977, 'e8a8c6e62ed289ccfb7d06289e2060156b4a6297890d27687f19980670208438'],
  ['captures/public/open5gs/testattach.pcapng', 565, [113], 1598111548860638, 1598111552645759, 'f83fa30e84400d0e071ab8b5797b7fd355a4f13232c6332c6d83c419f3815098'],
  ['captures/public/open5gs/volte.pcapng', 371, [113], 1579086364937701, 1579086373107668, '9cae2cde220e6bb662b5a1fd2c9ef381a4ef925a6fc71016003562daeeaa3c8f'],
  ['captures/public/tcpdump/isup.pcap', 6, [1], 1089032999862196, 1089033016952114, '5f964d5bc12537c7a3547c3bdd62e52288a5eda454e976ba45f1e47a14627ae9'],
  ['captures/public/tcpdump/sctp-i-data.pcap', 13, [1], 1684007101497381, 1684007101497608, 'da69d759a8a70a82dab3f43c1626f6eee0c750f251fe917ef1919b9756e4a8a5'],
  ['captures/public/tcpdump/sctp-pad.pcap', 30, [1], 1684682468215897, 1684682473410767, 'b93560c9a885088d6a1944a7040621dfd15917d80f3fdf5cfa81d2622cde6d1e'],
  ['captures/public/zeek/gtp10_not_0xff.pcap', 3, [1], 1333458850532814, 1333458850895767, 'c500a6cf9fb7f0a626d65bac1b9393094ff1a88f9dc3ac89629288f0badeff8e'],
  ['captures/public/zeek/gtp3_false_gtp.pcap', 1, [1], 1333458871219794, 1333458871219794, 'e0e9d3e29c2455fa090a71d2b7e85e9495b2340bd85374e27d78cb235ff54402'],
  ['captures/public/zeek/gtp_control_prime.pcap', 10, [1], 1274040201420596, 1274041474694961, 'a400d9749d03795f4813fda0ccb36455305836f3279fea5c8a60eb4d933f6ac9'],
  ['captures/public/zeek/gtp_create_pdp_ctx.pcap', 4, [1], 1267091876291150, 1267091876415703, '0b10214b8febf7fc1233245b637b9174734c0e3ad480c98bcee6269954b48ebe'],
  ['captures/public/zeek/pdp_ctx_messages.pcapng', 14, [1], 1267091876291150, 1274041474694961, 'b0bfee427ad7824209d9ce79b8860b897091d48ba522404c86b8f58eb7a8ce98'],
  ['captures/public/zeek/sctp.pcap', 74, [1], 1108716598686079, 1108716598771526, 'fd982336d772897f0975f313708382cb5799b4e52dc806149223ee8fd18c7063'],
  ['tools/selftest/map-synthetic.pcap', 17, [1], 1700000000000000, 1700000006045000, '4f64cd150ad13f9f04194865b1d5539d4cce4ae65fc0a8038e3e882c62b65821'],
];

interface Digest {
  count: number;
  linkTypes: Set<number>;
  first: number;
  last: number;
  digest: string;
  frames: number[];
}

/** Reads the whole file (in batches of `batch`) and digests it the way the oracle did. */
function digestFile(path: string, chunkBytes?: number, batch?: number): Digest {
  const r = PcapReader.open(path, { chunkBytes });
  const lines: string[] = [];
  const linkTypes = new Set<number>();
  const frames: number[] = [];
  let first = -1;
  let last = -1;
  const onPacket = (buf: Buffer, start: number, capLen: number, origLen: number, tsUs: number, linkType: number, frame: number): void => {
    const md5 = createHash('md5').update(buf.subarray(start, start + capLen)).digest('hex');
    lines.push(`${frame} ${tsUs} ${r.lastTsNs} ${capLen} ${origLen} ${linkType} ${md5}`);
    linkTypes.add(linkType);
    frames.push(frame);
    if (first < 0) first = tsUs;
    last = tsUs;
  };
  while (r.read(onPacket, batch) > 0) {
    /* next batch */
  }
  expect(r.stats.endAnomaly).toBe(0);
  expect(r.stats.packets).toBe(lines.length);
  r.close();
  return { count: lines.length, linkTypes, first, last, digest: createHash('sha256').update(lines.join('\n')).digest('hex'), frames };
}

describe.skipIf(!existsSync(SHARED + 'captures'))('PcapReader on the shared captures (tshark oracle)', () => {
  it('covers every capture file (32 public + 2 peers + the MAP selftest)', () => {
    const onDisk: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(SHARED + dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(`${dir}/${e.name}`);
        else if (/\.pcap(ng)?$/.test(e.name)) onDisk.push(`${dir}/${e.name}`);
      }
    };
    walk('captures');
    onDisk.push('tools/selftest/map-synthetic.pcap');
    expect(ORACLE.map((o) => o[0]).sort()).toEqual(onDisk.sort());
    expect(ORACLE.length).toBe(35);
  });

  for (const [file, count, linkTypes, first, last, digest] of ORACLE) {
    it(file, () => {
      const d = digestFile(SHARED + file);
      expect(d.count).toBe(count);
      expect([...d.linkTypes].sort((a, b) => a - b)).toEqual(linkTypes);
      expect(d.first).toBe(first);
      expect(d.last).toBe(last);
      expect(d.digest).toBe(digest);
      expect(d.frames[d.frames.length - 1]).toBe(count);
    });
  }

  it('gives the same frames with a tiny chunk (refills, growth) and small read batches', () => {
    // gx_gy_combined_04: the largest file (4070 frames, 2.9 MB, up to 1514-byte frames).
    const [file, count, , , , digest] = ORACLE.find((o) => o[0].includes('gx_gy_combined_04'))!;
    const d = digestFile(SHARED + file, 256, 7);
    expect(d.count).toBe(count);
    expect(d.digest).toBe(digest);
    const [file2, count2, , , , digest2] = ORACLE.find((o) => o[0].includes('nsa_connection'))!;
    const d2 = digestFile(SHARED + file2, 100, 1);
    expect(d2.count).toBe(count2);
    expect(d2.digest).toBe(digest2);
  });

  it('reports formats and structure', () => {
    const a = PcapReader.open(SHARED + 'captures/public/tcpdump/isup.pcap'); // big-endian µs pcap (a1b2c3d4)
    expect(a.format).toBe('pcap');
    expect(a.read(() => undefined)).toBe(6);
    expect(a.read(() => undefined)).toBe(0);
    expect(a.stats).toMatchObject({ packets: 6, sections: 1, interfaces: 1, endAnomaly: 0 });
    a.close();
    // named .pcap but a pcapng: 1 SHB, 1 IDB (tsresol 9), 70 EPB, 1 ISB
    const b = PcapReader.open(SHARED + 'captures/public/magma/nsa_connection.pcap');
    expect(b.format).toBe('pcapng');
    expect(b.read(() => undefined)).toBe(70);
    expect(b.stats).toMatchObject({ packets: 70, sections: 1, interfaces: 1, skippedBlocks: 1, endAnomaly: 0 });
    b.close();
    // magma: 9 IDBs in one section, packets on interfaces 4, 6 and 8
    const c = PcapReader.open(SHARED + 'captures/public/magma/inbound_roaming_01_210505_130828-1.pcapng');
    expect(c.read(() => undefined)).toBe(240);
    expect(c.stats).toMatchObject({ interfaces: 9, skippedBlocks: 0 });
    c.close();
  });
});
