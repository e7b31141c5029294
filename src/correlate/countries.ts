/**
 * Country of a number or a network: ISO 3166-1 alpha-2 codes (upper case) for
 *  - E.164 country codes (ITU-T E.164, "List of ITU-T Recommendation E.164 assigned country
 *    codes", Annex to ITU Operational Bulletin, with the shared codes split by their national
 *    prefixes: +1 by NANP area code (NANPA numbering plan area list), +7 by the first national
 *    digit (Rossvyaz / Kazakhstan plans), +44 / +39 / +47 / +61 / +262 / +358 / +599 / +672 by
 *    the dependencies' own ranges);
 *  - mobile country codes (ITU-T E.212, "Mobile Network Codes (MNC) for the international
 *    identification plan for public networks and subscriptions", Annex to ITU Operational
 *    Bulletin: the MCC list of the geographic areas).
 * Codes assigned to no country (international networks +881/+882/+883, MCC 901; Kosovo and
 * Abkhazia, which have no ISO 3166-1 code) map to null: known, but with no country. Unassigned
 * codes are absent: unknown. Nothing is guessed: a number whose prefix is in neither gives null.
 *
 * Lookups build no strings beyond the prefixes tried; callers cache per GT (networks.ts).
 */

/** E.164 prefixes (country code, or country code + national prefix) → ISO 3166-1 alpha-2 or null. */
const E164: Record<string, string | null> = {
  // ---- zone 2: Africa and some islands
  '20': 'EG', '211': 'SS', '212': 'MA', '213': 'DZ', '216': 'TN', '218': 'LY', '220': 'GM', '221': 'SN',
  '222': 'MR', '223': 'ML', '224': 'GN', '225': 'CI', '226': 'BF', '227': 'NE', '228': 'TG', '229': 'BJ',
  '230': 'MU', '231': 'LR', '232': 'SL', '233': 'GH', '234': 'NG', '235': 'TD', '236': 'CF', '237': 'CM',
  '238': 'CV', '239': 'ST', '240': 'GQ', '241': 'GA', '242': 'CG', '243': 'CD', '244': 'AO', '245': 'GW',
  '246': 'IO', '247': 'SH', '248': 'SC', '249': 'SD', '250': 'RW', '251': 'ET', '252': 'SO', '253': 'DJ',
  '254': 'KE', '255': 'TZ', '256': 'UG', '257': 'BI', '258': 'MZ', '260': 'ZM', '261': 'MG',
  '262': 'RE', '262269': 'YT', '262639': 'YT', // Réunion; Mayotte's fixed and mobile ranges
  '263': 'ZW', '264': 'NA', '265': 'MW', '266': 'LS', '267': 'BW', '268': 'SZ', '269': 'KM', '27': 'ZA',
  '290': 'SH', '291': 'ER', '297': 'AW', '298': 'FO', '299': 'GL',
  // ---- zones 3 and 4: Europe
  '30': 'GR', '31': 'NL', '32': 'BE', '33': 'FR', '34': 'ES', '350': 'GI', '351': 'PT', '352': 'LU',
  '353': 'IE', '354': 'IS', '355': 'AL', '356': 'MT', '357': 'CY',
  '358': 'FI', '35818': 'AX', // Finland; Åland
  '359': 'BG', '36': 'HU', '370': 'LT', '371': 'LV', '372': 'EE', '373': 'MD', '374': 'AM', '375': 'BY',
  '376': 'AD', '377': 'MC', '378': 'SM', '379': 'VA', '380': 'UA', '381': 'RS', '382': 'ME',
  '383': null, // Kosovo: no ISO 3166-1 code
  '385': 'HR', '386': 'SI', '387': 'BA', '389': 'MK',
  '39': 'IT', '3906698': 'VA', // Italy; Vatican City inside the Rome range
  '40': 'RO', '41': 'CH', '420': 'CZ', '421': 'SK', '423': 'LI', '43': 'AT',
  // +44 (Ofcom numbering): the Crown Dependencies' geographic areas and mobile blocks.
  '44': 'GB', '441481': 'GG', '447781': 'GG', '447839': 'GG', '447911': 'GG', // Guernsey
  '441534': 'JE', '447509': 'JE', '447797': 'JE', '447829': 'JE', '447937': 'JE', // Jersey
  '441624': 'IM', '447524': 'IM', '447624': 'IM', '447924': 'IM', // Isle of Man
  '45': 'DK', '46': 'SE', '47': 'NO', '4779': 'SJ', '48': 'PL', '49': 'DE',
  // ---- zone 5: South and Central America
  '500': 'FK', '501': 'BZ', '502': 'GT', '503': 'SV', '504': 'HN', '505': 'NI', '506': 'CR', '507': 'PA',
  '508': 'PM', '509': 'HT', '51': 'PE', '52': 'MX', '53': 'CU', '54': 'AR', '55': 'BR', '56': 'CL',
  '57': 'CO', '58': 'VE', '590': 'GP', '591': 'BO', '592': 'GY', '593': 'EC', '594': 'GF', '595': 'PY',
  '596': 'MQ', '597': 'SR', '598': 'UY',
  '5993': 'BQ', '5994': 'BQ', '5997': 'BQ', '5999': 'CW', // Sint Eustatius, Saba, Bonaire; Curaçao
  // ---- zone 6: South Pacific and Oceania
  '60': 'MY', '61': 'AU', '6189162': 'CC', '6189164': 'CX', '62': 'ID', '63': 'PH', '64': 'NZ', '65': 'SG',
  '66': 'TH', '670': 'TL', '6721': 'AQ', '6723': 'NF', '673': 'BN', '674': 'NR', '675': 'PG', '676': 'TO',
  '677': 'SB', '678': 'VU', '679': 'FJ', '680': 'PW', '681': 'WF', '682': 'CK', '683': 'NU', '685': 'WS',
  '686': 'KI', '687': 'NC', '688': 'TV', '689': 'PF', '690': 'TK', '691': 'FM', '692': 'MH',
  // ---- zone 7: Russia and Kazakhstan (by the first national digit)
  '73': 'RU', '74': 'RU', '78': 'RU', '79': 'RU', '76': 'KZ', '77': 'KZ',
  '7840': null, '7940': null, // Abkhazia: no ISO 3166-1 code
  // ---- zone 8: East Asia and international services
  '800': null, '808': null, '81': 'JP', '82': 'KR', '84': 'VN', '850': 'KP', '852': 'HK', '853': 'MO',
  '855': 'KH', '856': 'LA', '86': 'CN', '870': null, '878': null, '880': 'BD', '881': null, '882': null,
  '883': null, '886': 'TW', '888': null,
  // ---- zone 9: West, Central and South Asia, Middle East
  '90': 'TR', '91': 'IN', '92': 'PK', '93': 'AF', '94': 'LK', '95': 'MM', '960': 'MV', '961': 'LB',
  '962': 'JO', '963': 'SY', '964': 'IQ', '965': 'KW', '966': 'SA', '967': 'YE', '968': 'OM', '970': 'PS',
  '971': 'AE', '972': 'IL', '973': 'BH', '974': 'QA', '975': 'BT', '976': 'MN', '977': 'NP', '979': null,
  '98': 'IR', '991': null, '992': 'TJ', '993': 'TM', '994': 'AZ', '995': 'GE', '996': 'KG', '998': 'UZ',
};

/**
 * NANP (+1) area codes outside the United States (NANPA, "NPA codes by location"): Canada and
 * the other NANP countries. US territories with ISO codes of their own (PR, VI, GU, MP, AS) are
 * here too. Every other assignable area code (NXX, N = 2-9, not an N11 service code, not the
 * reserved 37X / 96X) is the United States.
 */
const NANP_NON_US: Record<string, string> = {};
function nanp(country: string, codes: readonly number[]): void {
  for (const c of codes) NANP_NON_US[String(c)] = country;
}
nanp('CA', [
  204, 226, 236, 249, 250, 257, 263, 289, 306, 343, 354, 365, 367, 368, 382, 387, 403, 416, 418, 428, 431, 437, 438, 450,
  460, 468, 474, 506, 514, 519, 548, 579, 581, 584, 587, 600, 604, 613, 622, 639, 647, 672, 683, 705, 709, 742, 753, 778,
  780, 782, 807, 819, 825, 867, 873, 879, 902, 905, 942,
]);
nanp('BS', [242]);
nanp('BB', [246]);
nanp('AI', [264]);
nanp('AG', [268]);
nanp('VG', [284]);
nanp('VI', [340]);
nanp('KY', [345]);
nanp('BM', [441]);
nanp('GD', [473]);
nanp('TC', [649]);
nanp('JM', [658, 876]);
nanp('MS', [664]);
nanp('MP', [670]);
nanp('GU', [671]);
nanp('AS', [684]);
nanp('SX', [721]);
nanp('LC', [758]);
nanp('DM', [767]);
nanp('VC', [784]);
nanp('PR', [787, 939]);
nanp('DO', [809, 829, 849]);
nanp('TT', [868]);
nanp('KN', [869]);

/** Longest E.164 prefix tried (the Vatican and Cocos / Christmas ranges: 7 digits). */
const MAX_PREFIX = 7;

/** Why a country could not be given (counted by the caller). */
export type CountryMiss = 'no_number' | 'not_e164' | 'unassigned_cc' | 'no_iso_country' | 'nanp_area_code';

export interface CountryResult {
  country: string | null;
  /** null when country is set */
  miss: CountryMiss | null;
}

/**
 * The country of an international E.164 number (digits only, country code first, e.g. a GT
 * with nature of address "international", a VLR / SGSN number). Longest known prefix wins.
 */
export function e164Country(digits: string | null): CountryResult {
  if (digits === null || digits.length === 0) return { country: null, miss: 'no_number' };
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c < 48 || c > 57) return { country: null, miss: 'not_e164' };
  }
  if (digits.charCodeAt(0) === 49 /* '1' */) return nanpCountry(digits);
  for (let n = Math.min(MAX_PREFIX, digits.length); n >= 1; n--) {
    const p = digits.length === n ? digits : digits.slice(0, n);
    const v = E164[p];
    if (v !== undefined) return v === null ? { country: null, miss: 'no_iso_country' } : { country: v, miss: null };
  }
  return { country: null, miss: 'unassigned_cc' };
}

function nanpCountry(digits: string): CountryResult {
  if (digits.length < 4) return { country: null, miss: 'nanp_area_code' };
  const npa = digits.slice(1, 4);
  const other = NANP_NON_US[npa];
  if (other !== undefined) return { country: other, miss: null };
  const n = npa.charCodeAt(0) - 48;
  const x = npa.charCodeAt(1) - 48;
  const y = npa.charCodeAt(2) - 48;
  // NPA format NXX (N = 2-9); N11 are service codes, 37X and 96X are reserved (NANPA).
  if (n < 2 || (x === 1 && y === 1) || (n === 3 && x === 7) || (n === 9 && x === 6)) return { country: null, miss: 'nanp_area_code' };
  return { country: 'US', miss: null };
}

/** E.212 mobile country codes → ISO 3166-1 alpha-2 (null: assigned to no country). */
const MCC: Record<string, string | null> = {
  // ---- 2xx Europe
  '202': 'GR', '204': 'NL', '206': 'BE', '208': 'FR', '212': 'MC', '213': 'AD', '214': 'ES', '216': 'HU',
  '218': 'BA', '219': 'HR', '220': 'RS', '221': null /* Kosovo */, '222': 'IT', '225': 'VA', '226': 'RO',
  '228': 'CH', '230': 'CZ', '231': 'SK', '232': 'AT', '234': 'GB', '235': 'GB', '238': 'DK', '240': 'SE',
  '242': 'NO', '244': 'FI', '246': 'LT', '247': 'LV', '248': 'EE', '250': 'RU', '255': 'UA', '257': 'BY',
  '259': 'MD', '260': 'PL', '262': 'DE', '266': 'GI', '268': 'PT', '270': 'LU', '272': 'IE', '274': 'IS',
  '276': 'AL', '278': 'MT', '280': 'CY', '282': 'GE', '283': 'AM', '284': 'BG', '286': 'TR', '288': 'FO',
  '289': null /* Abkhazia */, '290': 'GL', '292': 'SM', '293': 'SI', '294': 'MK', '295': 'LI', '297': 'ME',
  // ---- 3xx North America and the Caribbean
  '302': 'CA', '308': 'PM', '310': 'US', '311': 'US', '312': 'US', '313': 'US', '314': 'US', '315': 'US',
  '316': 'US', '330': 'PR', '332': 'VI', '334': 'MX', '338': 'JM', '340': 'GP', '342': 'BB', '344': 'AG',
  '346': 'KY', '348': 'VG', '350': 'BM', '352': 'GD', '354': 'MS', '356': 'KN', '358': 'LC', '360': 'VC',
  '362': 'CW', '363': 'AW', '364': 'BS', '365': 'AI', '366': 'DM', '368': 'CU', '370': 'DO', '372': 'HT',
  '374': 'TT', '376': 'TC',
  // ---- 4xx Asia and the Middle East
  '400': 'AZ', '401': 'KZ', '402': 'BT', '404': 'IN', '405': 'IN', '406': 'IN', '410': 'PK', '412': 'AF',
  '413': 'LK', '414': 'MM', '415': 'LB', '416': 'JO', '417': 'SY', '418': 'IQ', '419': 'KW', '420': 'SA',
  '421': 'YE', '422': 'OM', '424': 'AE', '425': 'IL', '426': 'BH', '427': 'QA', '428': 'MN', '429': 'NP',
  '430': 'AE', '431': 'AE', '432': 'IR', '434': 'UZ', '436': 'TJ', '437': 'KG', '438': 'TM', '440': 'JP',
  '441': 'JP', '450': 'KR', '452': 'VN', '454': 'HK', '455': 'MO', '456': 'KH', '457': 'LA', '460': 'CN',
  '461': 'CN', '466': 'TW', '467': 'KP', '470': 'BD', '472': 'MV',
  // ---- 5xx Oceania
  '502': 'MY', '505': 'AU', '510': 'ID', '514': 'TL', '515': 'PH', '520': 'TH', '525': 'SG', '528': 'BN',
  '530': 'NZ', '536': 'NR', '537': 'PG', '539': 'TO', '540': 'SB', '541': 'VU', '542': 'FJ', '543': 'WF',
  '544': 'AS', '545': 'KI', '546': 'NC', '547': 'PF', '548': 'CK', '549': 'WS', '550': 'FM', '551': 'MH',
  '552': 'PW', '553': 'TV', '554': 'TK', '555': 'NU',
  // ---- 6xx Africa
  '602': 'EG', '603': 'DZ', '604': 'MA', '605': 'TN', '606': 'LY', '607': 'GM', '608': 'SN', '609': 'MR',
  '610': 'ML', '611': 'GN', '612': 'CI', '613': 'BF', '614': 'NE', '615': 'TG', '616': 'BJ', '617': 'MU',
  '618': 'LR', '619': 'SL', '620': 'GH', '621': 'NG', '622': 'TD', '623': 'CF', '624': 'CM', '625': 'CV',
  '626': 'ST', '627': 'GQ', '628': 'GA', '629': 'CG', '630': 'CD', '631': 'AO', '632': 'GW', '633': 'SC',
  '634': 'SD', '635': 'RW', '636': 'ET', '637': 'SO', '638': 'DJ', '639': 'KE', '640': 'TZ', '641': 'UG',
  '642': 'BI', '643': 'MZ', '645': 'ZM', '646': 'MG', '647': 'RE', '648': 'ZW', '649': 'NA', '650': 'MW',
  '651': 'LS', '652': 'BW', '653': 'SZ', '654': 'KM', '655': 'ZA', '657': 'ER', '658': 'SH', '659': 'SS',
  // ---- 7xx South and Central America
  '702': 'BZ', '704': 'GT', '706': 'SV', '708': 'HN', '710': 'NI', '712': 'CR', '714': 'PA', '716': 'PE',
  '722': 'AR', '724': 'BR', '730': 'CL', '732': 'CO', '734': 'VE', '736': 'BO', '738': 'GY', '740': 'EC',
  '742': 'GF', '744': 'PY', '746': 'SR', '748': 'UY', '750': 'FK',
  // ---- 9xx international
  '901': null, '902': null, '991': null, '995': 'IO', '999': null,
};

/** ISO 3166-1 alpha-2 of an E.212 MCC (three digits), null when unassigned or international. */
export function mccCountry(mcc: string | null): string | null {
  if (mcc === null) return null;
  return MCC[mcc] ?? null;
}

/** true when the MCC is in the E.212 list (assigned, to a country or not). */
export function mccKnown(mcc: string): boolean {
  return MCC[mcc] !== undefined;
}
