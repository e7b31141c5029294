import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED } from '../helpers/oracle';
import { DIALOGUE_COLS, Netns, metricsText, peerSkipReason, query, replayToSpool, sleep, startCapture, until } from './netns';

const CLIENT = join(SHARED, 'peers/s6a_client.py');
const skip = peerSkipReason(['freeDiameterd', 'python3', 'openssl'], ['freediameterd', 'freediameter-extensions', 'python3', 'openssl'], ['/usr/lib/freeDiameter/acl_wl.fdx', CLIENT]);
if (skip) console.log(`freeDiameter live test skipped: ${skip}`);

const P1 = '192.0.2.1';
const P2 = '192.0.2.2';
const MME = '192.0.2.10';
// s6a_client.py: N one at a time, a burst in one segment, one request split over two segments.
const N = 4;
const BURST = 2;
const SPLIT = 1;
const REQUESTS = N + BURST + SPLIT; // alternating ULR (even) / AIR (odd)
const ULRS = Math.ceil(REQUESTS / 2);

/** freeDiameterd config: realm localdomain, TCP 3868 without TLS (it still wants a certificate: a self-signed one), Tw 6 s. */
function peerConf(dir: string, me: string, ip: string, other: string, otherIp: string): string {
  return `Identity = "${me}.localdomain";
Realm = "localdomain";
Port = 3868;
SecPort = 0;
ListenOn = "${ip}";
No_SCTP;
No_IPv6;
TcTimer = 6;
TwTimer = 6;
TLS_Cred = "${dir}/${me}.pem", "${dir}/${me}.key";
TLS_CA = "${dir}/${me}.pem";
ConnectPeer = "${other}.localdomain" { ConnectTo = "${otherIp}"; Port = 3868; No_TLS; };
`;
}

/**
 * Genuine Diameter over TCP: two freeDiameterd peers and an S6a client (MME) in a private
 * namespace. freeDiameter has no S6a application: peer1 relays each ULR/AIR to peer2, which
 * answers 3002 (unable to deliver); peer1 relays the answer back. `sigprobe run` on the loopback
 * must record what `sigprobe replay` of dumpcap's simultaneous pcap records.
 */
describe.skipIf(skip !== null)('sigprobe run: live Diameter from freeDiameter + S6a client', () => {
  let ns: Netns | null = null;
  afterAll(async () => {
    await ns?.close();
  });

  it('records CER, relayed ULR/AIR (3002 on both legs), DWR and DPR exactly as replay of the same packets', async () => {
    ns = new Netns('fd', [P1, P2, MME]);
    const n = ns;
    // A connection from one peer to the other leaves from the connecting peer's own address.
    for (const [dst, src] of [[P2, P1], [P1, P2]]) {
      expect(spawnSync('ip', ['-n', n.name, 'route', 'replace', 'local', dst, 'dev', 'lo', 'table', 'local', 'proto', 'kernel', 'scope', 'host', 'src', src]).status).toBe(0);
    }
    for (const p of ['peer1', 'peer2']) {
      const ssl = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(n.dir, `${p}.key`), '-out', join(n.dir, `${p}.pem`), '-days', '2', '-subj', `/CN=${p}.localdomain`], { encoding: 'utf8' });
      expect(ssl.status, ssl.stderr).toBe(0);
    }
    writeFileSync(join(n.dir, 'peer1.conf'), peerConf(n.dir, 'peer1', P1, 'peer2', P2) + `LoadExtension = "/usr/lib/freeDiameter/acl_wl.fdx" : "${n.dir}/acl_wl.conf";\n`);
    writeFileSync(join(n.dir, 'acl_wl.conf'), 'ALLOW_IPSEC mme.localdomain\n'); // the client, without TLS
    writeFileSync(join(n.dir, 'peer2.conf'), peerConf(n.dir, 'peer2', P2, 'peer1', P1));

    const cap = await startCapture(n);
    const p1 = n.start('peer1', 'freeDiameterd', ['-c', join(n.dir, 'peer1.conf')]);
    const p2 = n.start('peer2', 'freeDiameterd', ['-c', join(n.dir, 'peer2.conf')]);
    const count = (where: string) => query<{ n: number }>(cap.spool, `SELECT count(*) n FROM dialogues WHERE ${where}`)[0]?.n ?? 0;
    await until(() => count("procedure = 'CER'") >= 1 || p1.done || p2.done, 30000);
    expect(count("procedure = 'CER'"), cap.probe.out() + p1.out() + p2.out()).toBe(1);
    await sleep(500);

    const client = n.start('s6a_client', 'python3', [CLIENT, '--connect', `${P1}:3868`, '--bind', MME, '-n', String(N), '--burst', String(BURST), '--split', String(SPLIT), '--idle', '9', '--deadline', '40']);
    expect(await client.exited, client.out()).toBe(0);
    const summary = JSON.parse(client.out().trim().split('\n').pop() as string) as { answers: Record<string, number>; unanswered: number };
    expect(summary.answers).toEqual({ 'CEA 2001': 1, 'ULA 3002': ULRS, 'AIA 3002': REQUESTS - ULRS, 'DWA 2001': 1, 'DPA 2001': 1 });
    await sleep(500);
    // SIGTERM: peer1 sends DPR to peer2 on the way out.
    await n.stop(p1, 'SIGTERM', 10000);
    await n.stop(p2, 'SIGTERM', 10000);
    await sleep(1000);

    const m = metricsText(n, cap.metricsUrl);
    const packets = Number(/^sigprobe_packets_total\{[^}]*\} (\d+)/m.exec(m)?.[1] ?? -1);
    expect(m).toMatch(/^sigprobe_kernel_packets\{[^}]*kind="dropped"[^}]*\} 0$/m);
    expect(m).toMatch(/^sigprobe_kernel_packets\{[^}]*kind="if_dropped"[^}]*\} 0$/m);
    expect(await n.stop(cap.dumpcap)).toBe(0);
    expect(await n.stop(cap.probe, 'SIGTERM', 30000), cap.probe.out()).toBe(0);
    expect(cap.probe.out()).toMatch(/SIGTERM: stopped; packets \d+, kernel received \d+, dropped 0, if-dropped 0/);

    const { db: replay, packets: pcapPackets } = replayToSpool(cap.pcap, n.dir);
    expect(packets).toBe(pcapPackets); // the probe saw exactly the packets dumpcap wrote
    const order = 'ORDER BY req_frame, rsp_frame';
    const live = query(cap.spool, `SELECT ${DIALOGUE_COLS}, end_reason FROM dialogues ${order}`);
    expect(live.length).toBeGreaterThan(0);
    expect(live).toEqual(query(replay, `SELECT ${DIALOGUE_COLS}, end_reason FROM dialogues ${order}`));

    const by = query<{ k: string; n: number }>(
      cap.spool,
      "SELECT procedure || ' ' || src_ip || '>' || dst_ip || ' ' || status || ' ' || coalesce(result_code, '-') || ' ' || end_reason k, count(*) n FROM dialogues GROUP BY k",
    );
    const c = Object.fromEntries(by.map((r) => [r.k, r.n]));
    // Watchdogs depend on timing (Tw 6 s ± 2 s): the client's own DWR once, the peers' at least one to the idle client.
    const dwr = (from: string, to: string) => c[`DWR ${from}>${to} ok 2001 end`] ?? 0;
    expect(dwr(MME, P1)).toBe(1);
    expect(dwr(P1, MME)).toBeGreaterThanOrEqual(1);
    // Both peers connect at start: which one's CER survives the election is a race.
    const peerCer = `CER ${P1}>${P2} ok 2001 end`;
    const peerCerRev = `CER ${P2}>${P1} ok 2001 end`;
    expect((c[peerCer] ?? 0) + (c[peerCerRev] ?? 0)).toBe(1);
    const others = Object.fromEntries(Object.entries(c).filter(([k]) => !k.startsWith('DWR ') && k !== peerCer && k !== peerCerRev));
    expect(others).toEqual({
      [`CER ${MME}>${P1} ok 2001 end`]: 1,
      [`ULR ${MME}>${P1} error 3002 end`]: ULRS,
      [`AIR ${MME}>${P1} error 3002 end`]: REQUESTS - ULRS,
      [`ULR ${P1}>${P2} error 3002 end`]: ULRS,
      [`AIR ${P1}>${P2} error 3002 end`]: REQUESTS - ULRS,
      [`DPR ${MME}>${P1} ok 2001 end`]: 1,
      [`DPR ${P1}>${P2} ok 2001 end`]: 1,
    });
    expect(Object.keys(c).filter((k) => k.startsWith('DWR ') && !k.endsWith(' ok 2001 end'))).toEqual([]);
    // The relay keeps the end-to-end id: each client request has its relayed twin.
    expect(query(cap.spool, `SELECT count(*) n FROM dialogues a JOIN dialogues b ON a.end_to_end = b.end_to_end WHERE a.src_ip = '${MME}' AND b.src_ip = '${P1}' AND b.dst_ip = '${P2}' AND a.procedure = b.procedure AND a.procedure IN ('ULR', 'AIR')`)).toEqual([{ n: REQUESTS }]);
    // One IMSI per S6a request (User-Name), the same on both legs.
    expect(query(cap.spool, "SELECT count(DISTINCT imsi) n FROM dialogues WHERE procedure IN ('ULR', 'AIR')")).toEqual([{ n: REQUESTS }]);
  }, 110_000);
});
