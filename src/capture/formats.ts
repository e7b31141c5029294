/**
 * On-disk constants of the two capture file formats.
 * pcap: draft-ietf-opsawg-pcap §4-5 (libpcap savefile). pcapng: draft-ietf-opsawg-pcapng §4.
 */

/** pcap file header magic, microsecond timestamps (as read in the writer's byte order). */
export const PCAP_MAGIC_US = 0xa1b2c3d4;
/** pcap file header magic, nanosecond timestamps. */
export const PCAP_MAGIC_NS = 0xa1b23c4d;
/**
 * "Modified" pcap (Alexey Kuznetsov's patched libpcap; libpcap KUZNETZOV_TCPDUMP_MAGIC, Wireshark
 * PCAP_MODIFIED_MAGIC / pcap-ss991029): microsecond timestamps, and every record header is
 * followed by ifindex(4), protocol(2), pkt_type(1), pad(1).
 */
export const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;
/** Record header of the modified format: the 16 octets of pcap + 8 (struct pcap_sf_patched_pkthdr). */
export const PCAP_MODIFIED_RECORD_HEADER_LEN = 24;
/** pcap file header: magic(4) version_major(2) version_minor(2) thiszone(4) sigfigs(4) snaplen(4) linktype(4). */
export const PCAP_FILE_HEADER_LEN = 24;
/** pcap record header: ts_sec(4) ts_subsec(4) caplen(4) len(4). */
export const PCAP_RECORD_HEADER_LEN = 16;
export const PCAP_VERSION_MAJOR = 2;
/** The link-type field's low 26 bits (the upper bits carry FCS information). libpcap LT_LINKTYPE. */
export const PCAP_LINKTYPE_MASK = 0x03ffffff;

/** pcapng block types (§4, §11.1). The SHB type is a byte-order palindrome. */
export const PCAPNG_SHB = 0x0a0d0d0a;
export const PCAPNG_IDB = 0x00000001;
/** Packet Block (obsolete, §A). */
export const PCAPNG_PB = 0x00000002;
export const PCAPNG_SPB = 0x00000003;
export const PCAPNG_NRB = 0x00000004;
export const PCAPNG_ISB = 0x00000005;
export const PCAPNG_EPB = 0x00000006;
/** Byte-order magic of the SHB (§4.1). */
export const PCAPNG_BOM = 0x1a2b3c4d;
export const PCAPNG_VERSION_MAJOR = 1;
/** Block type(4) + block total length(4) + ... + block total length(4). */
export const PCAPNG_BLOCK_OVERHEAD = 12;
/** SHB: type, length, BOM(4), major(2), minor(2), section length(8), trailing length. */
export const PCAPNG_SHB_MIN_LEN = 28;
/** IDB: type, length, linktype(2), reserved(2), snaplen(4), trailing length. */
export const PCAPNG_IDB_MIN_LEN = 20;
/** EPB / PB: type, length, interface id, ts high, ts low, caplen, origlen, ..., trailing length. */
export const PCAPNG_EPB_MIN_LEN = 32;
/** SPB: type, length, original length, ..., trailing length. */
export const PCAPNG_SPB_MIN_LEN = 16;

/** Option codes (§3.5, §4.2). */
export const PCAPNG_OPT_ENDOFOPT = 0;
export const PCAPNG_IF_TSRESOL = 9;
export const PCAPNG_IF_TSOFFSET = 14;
/** if_tsresol when the option is absent: 10^-6 s. */
export const PCAPNG_DEFAULT_TSRESOL = 6;

/** Custom Blocks (§4.8, copiable / not copiable) and the systemd Journal Export Block (§4.7). */
export const PCAPNG_CB_COPY = 0x00000bad;
export const PCAPNG_CB_NOCOPY = 0x40000bad;
export const PCAPNG_SYSTEMD_JOURNAL = 0x00000009;
/** Sysdig event blocks (Wireshark wiretap/pcapng.h BLOCK_TYPE_SYSDIG_*). */
const SYSDIG_BLOCKS: readonly number[] = [0x204, 0x208, 0x216, 0x217, 0x221, 0x222];

/**
 * Non-packet blocks that Wireshark (4.0) turns into records and numbers as frames. The reader
 * skips them but counts them in the frame ordinal, so that frame numbers match tshark's.
 */
export function isFrameNumberedBlock(type: number): boolean {
  return type === PCAPNG_CB_COPY || type === PCAPNG_CB_NOCOPY || type === PCAPNG_SYSTEMD_JOURNAL ||
    SYSDIG_BLOCKS.includes(type);
}
