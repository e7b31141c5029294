/**
 * networks.yaml (src/correlate/networks.ts): parsing, the errors of a bad file (one line naming
 * the file and the key; `sigprobe replay --networks` exits 2 before writing anything), the
 * longest-prefix GT lookup, realms, and the visited network of records of every protocol.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNetworks, NetworkDirectory, parseNetworks, VisitedNetworks } from '../../src/correlate/networks';
import type { DialogueRecord, TunnelRecord } from '../../src/correlate/record';
import { mapDialogue } from '../helpers/spoolRecords';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli/main.js');

const YAML = `
operators:
  - name: "Movistar ES"
    mcc: "214"
    mnc: "07"
    gt_prefixes: ["34609"]
    realms: ["epc.mnc007.mcc214.3gppnetwork.org"]
  - name: "Movistar ES (Madrid VLRs)"
    gt_prefixes: ["3460900"]
  - name: "Telcel MX"
    mcc: "334"
    mnc: "020"
    gt_prefixes: ["52155"]
  - name: "Roaming hub"
    realms: ["hub.example.net"]
`;

function tmp(name: string, text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'sp-networks-')), name);
  writeFileSync(f, text);
  return f;
}

function bad(text: string): string {
  try {
    parseNetworks(text, 'n.yaml');
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

describe('networks.yaml', () => {
  it('parses operators; the longest GT prefix wins; realms exactly or by parent domain; PLMN ids', () => {
    const d = parseNetworks(YAML, 'n.yaml');
    expect(d.operators.map((o) => o.name)).toEqual(['Movistar ES', 'Movistar ES (Madrid VLRs)', 'Telcel MX', 'Roaming hub']);
    expect(d.gt('34609001234').operator?.name).toBe('Movistar ES (Madrid VLRs)');
    expect(d.gt('34609111234').operator?.name).toBe('Movistar ES');
    expect(d.gt('34609111234').country).toBe('ES');
    expect(d.gt('34607111234')).toEqual({ country: 'ES', miss: null, operator: null });
    expect(d.gt('3460')).toMatchObject({ country: 'ES', operator: null }); // shorter than every prefix
    expect(d.realm('EPC.mnc007.mcc214.3gppnetwork.org')).toMatchObject({ mcc: '214', mnc: '07', operator: { name: 'Movistar ES' } });
    expect(d.realm('mme1.hub.example.net')).toMatchObject({ mcc: null, mnc: null, operator: { name: 'Roaming hub' } });
    // Not listed: the PLMN of the realm names the operator; a 3-digit MNC stays 3 digits (MCC 334).
    expect(d.realm('epc.mnc020.mcc334.3gppnetwork.org')).toMatchObject({ mcc: '334', mnc: '020', operator: { name: 'Telcel MX' } });
    expect(d.realm('epc.mnc015.mcc234.3gppnetwork.org')).toEqual({ mcc: '234', mnc: '15', operator: null });
    expect(d.realm('diameter.example.com')).toEqual({ mcc: null, mnc: null, operator: null });
    expect(d.plmn('334', '020')?.name).toBe('Telcel MX');
    expect(parseNetworks('', 'empty.yaml').operators).toEqual([]);
  });

  it('the shipped config/networks.yaml is valid', () => {
    const d = loadNetworks(join(ROOT, 'config/networks.yaml'));
    expect(d.operators.length).toBeGreaterThan(10);
    expect(d.gt('34609123456').operator?.name).toBe('Movistar ES');
  });

  it('a bad file is one line naming the file and the key', () => {
    expect(bad('operators: [')).toMatch(/^n\.yaml: not valid YAML: /);
    expect(bad('- a\n- b')).toBe("n.yaml: expected a mapping with 'operators'");
    expect(bad('operator: []')).toBe("n.yaml: (top level): unknown key 'operator'");
    expect(bad('operators:\n  - name: x\n    gt_prefixes: ["34-609"]')).toBe('n.yaml: operators.0.gt_prefixes.0: digits only, 1-15');
    expect(bad('operators:\n  - name: x\n    mcc: "21"\n    mnc: "07"')).toBe('n.yaml: operators.0.mcc: 3 digits');
    expect(bad('operators:\n  - name: x\n    mcc: "214"')).toBe('n.yaml: operators.0: mcc and mnc go together');
    expect(bad('operators:\n  - name: x\n    colour: red')).toBe("n.yaml: operators.0: unknown key 'colour'");
    expect(bad('operators:\n  - name: a\n    gt_prefixes: ["346"]\n  - name: b\n    gt_prefixes: ["346"]')).toBe("n.yaml: operators.1.gt_prefixes: '346' is also a's");
    expect(bad('operators:\n  - gt_prefixes: ["346"]')).toMatch(/^n\.yaml: operators\.0\.name: /);
    for (const m of [bad('operators: ['), bad('operators:\n  - name: x\n    colour: red')]) expect(m).not.toContain('\n');
    expect(() => loadNetworks('/nonexistent/networks.yaml')).toThrow('cannot read networks file /nonexistent/networks.yaml: ENOENT');
  });

  it('sigprobe replay --networks with a bad file: one line on stderr, exit 2, no spool written', () => {
    const f = tmp('networks.yaml', 'operators:\n  - name: x\n    mcc: "2140"\n    mnc: "07"\n');
    const spool = join(mkdtempSync(join(tmpdir(), 'sp-networks-')), 's.db');
    const r = spawnSync(process.execPath, [CLI, 'replay', join(ROOT, 'test/fixtures/none.pcap'), '--spool', spool, '--networks', f], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`sigprobe: ${f}: operators.0.mcc: 3 digits`);
    expect(existsSync(spool)).toBe(false);
  });
});

function diameter(over: Partial<DialogueRecord>): DialogueRecord {
  return mapDialogue(1, {
    protocol: 'diameter', procedure: 'ULR', opcode: 316, appId: 16777251, callingGt: null, calledGt: null, imsi: 'x',
    homeMcc: '334', homeMnc: '020', originRealm: 'epc.mnc007.mcc214.3gppnetwork.org', destRealm: 'epc.mnc020.mcc334.3gppnetwork.org', ...over,
  });
}

describe('visited network of records', () => {
  const v = () => new VisitedNetworks(parseNetworks(YAML, 'n.yaml'));

  it('MAP: VLR number, else the visited side\'s GT (calling for updateLocation, responder / called for insertSubscriberData)', () => {
    const n = v();
    const ul = mapDialogue(1, { homeMcc: '334', homeMnc: '020', vlrNumber: '34609001234', callingGt: '34609001234', calledGt: '5215500000' });
    n.dialogue(ul);
    expect([ul.homeCountry, ul.visitedCountry, ul.visitedOperator, ul.visitedMcc ?? null, ul.visitedMnc ?? null]).toEqual(['MX', 'ES', 'Movistar ES (Madrid VLRs)', null, null]);
    const sai = mapDialogue(2, { procedure: 'sendAuthenticationInfo', opcode: 56, callingGt: '34609111111', calledGt: '5215500000' });
    n.dialogue(sai);
    expect([sai.visitedCountry, sai.visitedOperator, sai.visitedMcc, sai.visitedMnc]).toEqual(['ES', 'Movistar ES', '214', '07']);
    const isd = mapDialogue(3, { procedure: 'insertSubscriberData', opcode: 7, callingGt: '5215500000', calledGt: '12125550000', responderGt: '14165550000' });
    n.dialogue(isd);
    expect([isd.visitedCountry, isd.visitedOperator]).toEqual(['CA', null]);
    const sri = mapDialogue(4, { procedure: 'sendRoutingInfoForSM', opcode: 45, callingGt: '34609111111', calledGt: '5215500000' });
    n.dialogue(sri);
    expect([sri.visitedCountry, sri.visitedOperator, sri.homeCountry]).toEqual([null, null, 'GB']);
    const intl = mapDialogue(5, { callingGt: '882341234567', homeMcc: null, homeMnc: null });
    n.dialogue(intl);
    expect([intl.visitedCountry, intl.homeCountry]).toEqual([null, null]);
    expect(n.stats.unknown.dialogues).toEqual({
      'visited_operator_unknown/not_in_networks': 1,
      'visited_country_unknown/no_visited_side': 1,
      'visited_operator_unknown/no_visited_side': 1,
      'visited_country_unknown/no_iso_country': 1,
      'visited_operator_unknown/no_iso_country': 1,
      'home_country_unknown/no_imsi': 1,
    });
  });

  it('Diameter: Visited-PLMN-Id, else the visited side\'s realm (origin of ULR, destination of CLR, origin of an orphan CLA)', () => {
    const n = v();
    const ulr = diameter({ visitedMcc: '214', visitedMnc: '07' });
    n.dialogue(ulr);
    expect([ulr.homeCountry, ulr.visitedCountry, ulr.visitedOperator, ulr.visitedMcc]).toEqual(['MX', 'ES', 'Movistar ES', '214']);
    // Visited-PLMN-Id wins over a realm that names a hub in front of the network
    const hub = diameter({ visitedMcc: '214', visitedMnc: '07', originRealm: 'dea1.hub.example.net' });
    n.dialogue(hub);
    expect([hub.visitedCountry, hub.visitedOperator]).toEqual(['ES', 'Movistar ES']);
    const hubOnly = diameter({ procedure: 'AIR', opcode: 318, originRealm: 'dea1.hub.example.net' });
    n.dialogue(hubOnly);
    expect([hubOnly.visitedCountry, hubOnly.visitedOperator, hubOnly.visitedMcc ?? null]).toEqual([null, 'Roaming hub', null]);
    const air = diameter({ procedure: 'AIR', opcode: 318 });
    n.dialogue(air);
    expect([air.visitedCountry, air.visitedOperator, air.visitedMcc, air.visitedMnc]).toEqual(['ES', 'Movistar ES', '214', '07']);
    const clr = diameter({ procedure: 'CLR', opcode: 317, originRealm: 'epc.mnc020.mcc334.3gppnetwork.org', destRealm: 'epc.mnc015.mcc234.3gppnetwork.org' });
    n.dialogue(clr);
    expect([clr.visitedCountry, clr.visitedOperator, clr.visitedMcc, clr.visitedMnc]).toEqual(['GB', null, '234', '15']);
    const cla = diameter({ procedure: 'CLR', opcode: 317, orphan: true, originRealm: 'epc.mnc007.mcc214.3gppnetwork.org', destRealm: null });
    n.dialogue(cla);
    expect(cla.visitedCountry).toBe('ES');
    const ula = diameter({ orphan: true, originRealm: 'epc.mnc020.mcc334.3gppnetwork.org', destRealm: null });
    n.dialogue(ula); // the HSS answered: the visited side is not in the record
    expect([ula.visitedCountry, ula.visitedMcc ?? null]).toEqual([null, null]);
    const odd = diameter({ procedure: 'AIR', opcode: 318, originRealm: 'mme.example.com' });
    n.dialogue(odd);
    const dwr = diameter({ procedure: 'DWR', opcode: 280 });
    n.dialogue(dwr);
    expect([odd.visitedCountry, dwr.visitedCountry]).toEqual([null, null]);
    expect(n.stats.unknown.dialogues['visited_country_unknown/no_realm']).toBe(1);
    expect(n.stats.unknown.dialogues['visited_country_unknown/realm_not_3gpp']).toBe(2);
    expect(n.stats.unknown.dialogues['visited_country_unknown/no_visited_side']).toBe(1);
  });

  it('GTP dialogues and tunnels: the serving network\'s MCC / MNC', () => {
    const n = v();
    const cs = mapDialogue(1, { protocol: 'gtpv2', procedure: 'CreateSession', opcode: 32, homeMcc: '214', homeMnc: '07', visitedMcc: '334', visitedMnc: '020' });
    n.dialogue(cs);
    expect([cs.homeCountry, cs.visitedCountry, cs.visitedOperator]).toEqual(['ES', 'MX', 'Telcel MX']);
    const t = { homeMcc: '214', homeMnc: '07', visitedMcc: '262', visitedMnc: '01' } as TunnelRecord;
    n.tunnel(t);
    expect([t.homeCountry, t.visitedCountry, t.visitedOperator]).toEqual(['ES', 'DE', null]);
    const u = { homeMcc: null, homeMnc: null, visitedMcc: null, visitedMnc: null } as TunnelRecord;
    n.tunnel(u);
    expect([u.homeCountry, u.visitedCountry, u.visitedOperator]).toEqual([null, null, null]);
    expect(n.stats.unknown.tunnels).toEqual({
      'visited_operator_unknown/not_in_networks': 1,
      'home_country_unknown/no_imsi': 1,
      'visited_country_unknown/no_plmn': 1,
      'visited_operator_unknown/no_plmn': 1,
    });
  });

  it('lookups are cached per GT / realm and the caches are bounded', () => {
    const d = new NetworkDirectory([{ name: 'a', gt_prefixes: ['34'] }]);
    const first = d.gt('34609123456');
    expect(d.gt('34609123456')).toBe(first);
    for (let i = 0; i < 70_000; i++) d.gt(`3460${i}`);
    expect(d.gt('34609123456')).not.toBe(first); // cleared once full
    expect(d.gt('34609123456')).toEqual(first);
  });
});
