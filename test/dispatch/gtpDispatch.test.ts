/**
 * GTP on the pipeline's UDP port table: the IANA ports, configured extra ports, the live capture
 * filter, and counters for what is not GTP-C.
 */
import { describe, expect, it } from 'vitest';
import { bpfFilter } from '../../src/dispatch/bpf';
import { gtpOptions } from '../../src/cli/probe';
import { ConfigSchema } from '../../src/config/schema';
import { collectingPipeline, GtpScenario, gtpv1, gtpv2, v2ie } from '../helpers/gtpBuild';

describe('GTP dispatch', () => {
  it('registers GTP-C 2123, GTP-U 2152, GTP\'/GTPv0 3386; routes by destination then source port', () => {
    const { pipeline } = collectingPipeline();
    const d = pipeline.udpDispatch;
    expect(d.route(40000, 2123)?.name).toBe('gtpc');
    expect(d.route(2123, 40000)?.name).toBe('gtpc');
    expect(d.route(2152, 2152)?.name).toBe('gtpu');
    expect(d.route(3386, 3386)?.name).toBe('gtp-prime');
    expect(d.route(53, 40000)).toBeNull();
    expect(d.route(2152, 2123)?.name).toBe('gtpc'); // destination first
  });

  it('live filter: GTP-C whole, GTP-U without IPv4 G-PDUs, nothing for GTP\'', () => {
    const { pipeline } = collectingPipeline();
    expect(pipeline.udpDispatch.captureFilters()).toEqual(['udp port 2123', '(udp port 2152 and not (ip and udp[9] = 255))']);
    const f = bpfFilter(pipeline.sctpDispatch, [], [], pipeline.udpDispatch.captureFilters());
    expect(f.startsWith('(sctp or udp port 2123 or (udp port 2152 and not (ip and udp[9] = 255)) or ')).toBe(true);
    expect(f).not.toContain('3386');
  });

  it('configured extra GTP-C port: gtp.controlPorts in the config reaches the pipeline', () => {
    const cfg = ConfigSchema.parse({ site: 'x', spool: { path: '/tmp/x.db' }, gtp: { controlPorts: [3123] }, limits: { gtp: { timeoutSeconds: 5 } } });
    const opts = gtpOptions(cfg);
    expect(opts).toEqual({
      ports: { control: [2123, 3123], user: [2152] },
      transactions: { maxPending: 200_000, timeoutUs: 5_000_000 },
      tunnels: { maxActive: 1_000_000, idleTimeoutUs: 24 * 3600e6 },
    });
    const s = new GtpScenario();
    s.add(0, '10.0.0.1', '10.0.0.2', gtpv2(1, null, 5, [v2ie.recovery(1)]), 3123, 3123);
    s.add(10, '10.0.0.2', '10.0.0.1', gtpv2(2, null, 5, [v2ie.recovery(1)]), 3123, 3123);
    expect(s.run('extra-port').records).toHaveLength(0); // not a GTP port by default
    const { records } = s.run('extra-port', { gtp: opts });
    expect(records.map((r) => [r.procedure, r.status, r.srcPort])).toEqual([['Echo', 'ok', 3123]]);
  });

  it('counted, not recorded: G-PDUs, End Markers, GTPv0, GTP\', Version Not Supported, unknown message types', () => {
    const s = new GtpScenario();
    s.add(0, '10.0.0.1', '10.0.0.2', gtpv1(255, 0x1234, null, [Buffer.from('4500001c', 'hex')]), 2152, 2152);
    s.add(0, '10.0.0.1', '10.0.0.2', gtpv1(254, 0x1234, null, []), 2152, 2152);
    s.add(0, '10.0.0.1', '10.0.0.2', Buffer.from('1e10000400000000', 'hex'), 3386, 3386); // GTPv0
    s.add(0, '10.0.0.1', '10.0.0.2', Buffer.from('2ef0000000', 'hex'), 3386, 3386); // GTP' (PT 0)
    s.add(0, '10.0.0.1', '10.0.0.2', gtpv1(3, 0, 1, []));
    s.add(0, '10.0.0.1', '10.0.0.2', gtpv2(3, null, 1, []));
    s.add(0, '10.0.0.1', '10.0.0.2', gtpv2(250, 1, 1, []));
    s.add(0, '10.0.0.1', '10.0.0.2', Buffer.from('ff', 'hex'));
    const { records, pipeline } = s.run('counted');
    expect(records).toEqual([]);
    const st = pipeline.gtp.stats;
    expect([st.gpdus, st.endMarkers, st.gtpv0, st.gtpPrime, st.versionNotSupported, st.unknownType, st.notGtp]).toEqual([1, 1, 1, 1, 2, 1, 1]);
    expect(st.v1ByType[255] + st.v1ByType[254]).toBe(1); // the G-PDU is counted without a decode
  });
});
