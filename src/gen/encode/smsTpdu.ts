// SMS transfer-layer PDUs carried in MAP sm-RP-UI (3GPP TS 23.040 §9.2.2): SMS-DELIVER and
// SMS-SUBMIT with GSM 7-bit default alphabet user data (TS 23.038 §6.1.2.1, packing §6.1.2.1.1).

/** TP address (TS 23.040 §9.1.2.5): digit count, type of address 0x91, BCD digits (F filler) */
function tpAddress(digits: string): Buffer {
  const n = digits.length;
  const out = Buffer.alloc(2 + ((n + 1) >> 1));
  out[0] = n;
  out[1] = 0x91;
  for (let i = 0; i < n; i += 2) {
    const lo = digits.charCodeAt(i) - 48;
    const hi = i + 1 < n ? digits.charCodeAt(i + 1) - 48 : 0x0f;
    out[2 + (i >> 1)] = (hi << 4) | lo;
  }
  return out;
}

/** pack septets (only ASCII letters/digits/space map 1:1 to the GSM default alphabet) */
export function packGsm7(text: string): { septets: number; data: Buffer } {
  const n = text.length;
  const out = Buffer.alloc(Math.ceil((n * 7) / 8));
  let bit = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i) & 0x7f;
    const byte = bit >> 3;
    const shift = bit & 7;
    out[byte] |= (c << shift) & 0xff;
    if (shift > 1) out[byte + 1] |= c >> (8 - shift);
    bit += 7;
  }
  return { septets: n, data: out };
}

/** TP-SCTS (§9.2.3.11): 7 semi-octet-swapped fields YY MM DD hh mm ss TZ (UTC) */
function scts(d: { y: number; mo: number; d: number; h: number; mi: number; s: number }): Buffer {
  const sw = (v: number) => ((v % 10) << 4) | Math.floor(v / 10) % 10;
  return Buffer.from([sw(d.y % 100), sw(d.mo), sw(d.d), sw(d.h), sw(d.mi), sw(d.s), 0]);
}

/** SMS-DELIVER: MTI=00, MMS set; TP-OA, TP-PID 0, TP-DCS 0 (GSM 7-bit), TP-SCTS, TP-UDL, TP-UD */
export function smsDeliver(originator: string, text: string, tsSec: number): Buffer {
  const t = new Date(tsSec * 1000);
  const ud = packGsm7(text);
  return Buffer.concat([
    Buffer.from([0x04]),
    tpAddress(originator),
    Buffer.from([0x00, 0x00]),
    scts({ y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate(), h: t.getUTCHours(), mi: t.getUTCMinutes(), s: t.getUTCSeconds() }),
    Buffer.from([ud.septets]),
    ud.data,
  ]);
}

/** SMS-SUBMIT: MTI=01, VPF relative; TP-MR, TP-DA, TP-PID 0, TP-DCS 0, TP-VP, TP-UDL, TP-UD */
export function smsSubmit(messageRef: number, destination: string, text: string): Buffer {
  const ud = packGsm7(text);
  return Buffer.concat([
    Buffer.from([0x11, messageRef & 0xff]),
    tpAddress(destination),
    Buffer.from([0x00, 0x00, 0xa7]), // PID, DCS, VP = 24 h (§9.2.3.12.1)
    Buffer.from([ud.septets]),
    ud.data,
  ]);
}
