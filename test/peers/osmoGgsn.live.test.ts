import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIALOGUE_COLS, Netns, metricsText, peerSkipReason, query, replayToSpool, sleep, startCapture, until } from './netns';

const skip = peerSkipReason(['osmo-ggsn', 'sgsnemu'], ['osmo-ggsn']);
if (skip) console.log(`osmo-ggsn live test skipped: ${skip}`);

const GGSN = '127.0.0.2';
const A = { ip: '127.0.0.1', n: 20, imsi: '001010123456789' };
const B = { ip: '127.0.0.3', n: 15, imsi: '001010223456789' };
// A /27 pool: 29 addresses for A's 20 + B's 15 contexts, so B's last ones are rejected (cause 211).
const POOL = '198.18.100.0/27';

function ggsnConfig(dir: string): string {
  return `log stderr
 logging filter all 1
 logging color 0
 logging level ggsn notice
line vty
 no login
 bind 127.0.0.1
ggsn ggsn0
 gtp state-dir ${dir}
 gtp bind-ip ${GGSN}
 apn internet
  gtpu-mode tun
  tun-device tun4
  type-support v4
  ip prefix dynamic ${POOL}
  ip dns 0 192.0.2.53
  ip ifconfig ${POOL}
  no shutdown
 default-apn internet
 no shutdown ggsn
`;
}

/**
 * Genuine GTPv1-C (Gn) from osmo-ggsn and two sgsnemu instances in a private namespace, captured
 * live by `sigprobe run` on its loopback while dumpcap writes the same packets (same BPF filter):
 * the live spool must equal `sigprobe replay` of that pcap, dialogue by dialogue and tunnel by tunnel.
 */
describe.skipIf(skip !== null)('sigprobe run: live GTPv1-C from osmo-ggsn + sgsnemu', () => {
  let ns: Netns | null = null;
  afterAll(async () => {
    await ns?.close();
  });

  it('records Echo, Create (accepted and rejected 211), Deletes and tunnels exactly as replay of the same packets', async () => {
    ns = new Netns('ggsn');
    const n = ns;
    const cap = await startCapture(n);
    const cfg = join(n.dir, 'osmo-ggsn.cfg');
    writeFileSync(cfg, ggsnConfig(n.dir));
    const ggsn = n.start('osmo-ggsn', 'osmo-ggsn', ['-c', cfg]);
    expect(await until(() => n.exec('ss', ['-Huln', 'sport = :2123']).stdout.includes(GGSN) || ggsn.done, 15000), ggsn.out()).toBe(true);

    const sgsn = (s: typeof A, hold: number) =>
      n.start(`sgsnemu-${s.ip}`, 'sgsnemu', ['-l', s.ip, '-r', GGSN, `--contexts=${s.n}`, `--timelimit=${hold}`, `--statedir=${n.dir}`, '-a', 'internet', '-i', s.imsi, '-m', '33612345678']);
    const creates = (ip: string) => query<{ n: number }>(cap.spool, `SELECT count(*) n FROM dialogues WHERE procedure = 'CreatePDPContext' AND src_ip = '${ip}'`)[0]?.n ?? 0;
    const deletes = (ip: string) => query<{ n: number }>(cap.spool, `SELECT count(*) n FROM dialogues WHERE procedure = 'DeletePDPContext' AND src_ip = '${ip}'`)[0]?.n ?? 0;

    // A: creates, holds its addresses for 6 s, then deletes them (sgsnemu ignores TERM: KILL after 1 s).
    const sa = sgsn(A, 6);
    expect(await until(() => creates(A.ip) >= A.n, 20000), sa.out()).toBe(true);
    // B: runs the pool dry while A holds it; exits at the first reject.
    const sb = sgsn(B, 600);
    expect(await until(() => creates(B.ip) >= B.n, 20000), sb.out()).toBe(true);
    await n.stop(sb, 'SIGTERM', 1000);
    expect(await until(() => deletes(A.ip) >= A.n, 25000), sa.out()).toBe(true);
    await n.stop(sa, 'SIGTERM', 1000);
    // On SIGTERM the GGSN sends Delete PDP Context for B's remaining contexts; nobody answers.
    expect(await n.stop(ggsn, 'SIGTERM', 5000)).not.toBeNull();
    await sleep(1000);

    const m = metricsText(n, cap.metricsUrl);
    const packets = Number(/^sigprobe_packets_total\{[^}]*\} (\d+)/m.exec(m)?.[1] ?? -1);
    expect(m).toMatch(/^sigprobe_kernel_packets\{[^}]*kind="dropped"[^}]*\} 0$/m);
    expect(m).toMatch(/^sigprobe_kernel_packets\{[^}]*kind="if_dropped"[^}]*\} 0$/m);
    expect(await n.stop(cap.dumpcap)).toBe(0);
    expect(await n.stop(cap.probe, 'SIGTERM', 30000), cap.probe.out()).toBe(0);
    expect(cap.probe.out()).toMatch(/SIGTERM: stopped; packets \d+, kernel received \d+, dropped 0, if-dropped 0/);

    const { db: replay, packets: pcapPackets } = replayToSpool(cap.pcap, n.dir);
    const order = 'ORDER BY req_frame, rsp_frame';
    const live = query(cap.spool, `SELECT ${DIALOGUE_COLS} FROM dialogues ${order}`);
    const want = query(replay, `SELECT ${DIALOGUE_COLS} FROM dialogues ${order}`);
    expect(packets).toBe(pcapPackets); // the probe saw exactly the packets dumpcap wrote
    expect(live.length).toBeGreaterThan(0);
    expect(live).toEqual(want);

    // Expected traffic, by who sent the request.
    const by = query<{ k: string; n: number }>(
      cap.spool,
      "SELECT procedure || ' ' || src_ip || ' ' || status || ' ' || coalesce(result_code, '-') || ' ' || end_reason k, count(*) n FROM dialogues GROUP BY k",
    );
    const c = Object.fromEntries(by.map((r) => [r.k, r.n]));
    const bOk = c[`CreatePDPContext ${B.ip} ok 128 end`] ?? 0;
    const bRejected = c[`CreatePDPContext ${B.ip} error 211 end`] ?? 0;
    expect(bRejected).toBeGreaterThan(0); // the pool ran out
    expect(bOk + bRejected).toBe(B.n);
    expect(c).toEqual({
      [`Echo ${A.ip} ok - end`]: 1,
      [`Echo ${B.ip} ok - end`]: 1,
      [`CreatePDPContext ${A.ip} ok 128 end`]: A.n,
      [`CreatePDPContext ${B.ip} ok 128 end`]: bOk,
      [`CreatePDPContext ${B.ip} error 211 end`]: bRejected,
      [`DeletePDPContext ${A.ip} ok 128 end`]: A.n,
      // GGSN-initiated, unanswered: closed when the probe stopped (replay: at capture end)
      [`DeletePDPContext ${GGSN} timeout - shutdown`]: bOk,
    });
    // Every request and answer of B's contexts carries its IMSI range; deletes only a TEID.
    expect(query(cap.spool, "SELECT 1 FROM dialogues WHERE procedure = 'CreatePDPContext' AND imsi IS NULL")).toEqual([]);
    expect(query(replay, "SELECT DISTINCT end_reason FROM dialogues WHERE status = 'timeout'")).toEqual([{ end_reason: 'capture_end' }]);

    // Tunnels: one per Create, the same as replay, except B's: their Delete (GGSN-initiated) was
    // still unanswered when the probe stopped, so `run` saved them as active (gtp_active_tunnels,
    // restored at the next start) where replay closes them as delete at capture end.
    const tcols = 'imsi, apn, sgsn_ip, ggsn_ip, sgsn_ctrl_teid, ggsn_ctrl_teid, sgsn_data_teid, ggsn_data_teid, create_cause, delete_cause, end_reason, create_frame, end_frame';
    const tsql = `SELECT ${tcols} FROM tunnels WHERE NOT (sgsn_ip = '${B.ip}' AND end_reason = 'delete') ORDER BY create_frame, sgsn_ctrl_teid`;
    expect(query(cap.spool, `SELECT ${tcols} FROM tunnels ORDER BY create_frame, sgsn_ctrl_teid`)).toEqual(query(replay, tsql));
    const t = (db: string) =>
      Object.fromEntries(
        query<{ k: string; n: number }>(db, "SELECT sgsn_ip || ' ' || end_reason || ' ' || coalesce(create_cause, '-') k, count(*) n FROM tunnels GROUP BY k").map((r) => [r.k, r.n]),
      );
    expect(t(cap.spool)).toEqual({ [`${A.ip} delete 128`]: A.n, [`${B.ip} create_rejected 211`]: bRejected });
    expect(t(replay)).toEqual({ [`${A.ip} delete 128`]: A.n, [`${B.ip} delete 128`]: bOk, [`${B.ip} create_rejected 211`]: bRejected });
    expect(query(cap.spool, 'SELECT count(*) n FROM gtp_active_tunnels')).toEqual([{ n: bOk }]);
    expect(cap.probe.out()).toContain(`; ${bOk} GTP tunnels saved`);
  }, 110_000);
});
