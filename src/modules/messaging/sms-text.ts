/**
 * What an SMS needs before it is queued: the number in E.164 form, the opt-out line of a marketing
 * message, and how many segments the body costs.
 *
 * Segments (3GPP TS 23.038 and 23.040): a body written only in the GSM 03.38 alphabet is sent as
 * GSM-7, 160 septets in one message or 153 a segment when concatenated (the user data header takes
 * 7); the extension table's characters (`^ { } \ [ ~ ] | €` and form feed) take two septets. Any
 * other character makes the whole body UCS-2: 70 UTF-16 code units in one message, 67 a segment.
 */

/** The GSM 03.38 default alphabet (escape excluded). */
const GSM_BASIC = new Set([...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà']);
/** The extension table: each is an escape and a character, two septets. */
const GSM_EXTENDED = new Set([...'^{}\\[~]|€\f']);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSize {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
}

export function smsSize(body: string): SmsSize {
  let septets = 0;
  for (const char of body) {
    if (GSM_BASIC.has(char)) septets += 1;
    else if (GSM_EXTENDED.has(char)) septets += 2;
    else return { encoding: 'UCS-2', units: body.length, segments: body.length <= 70 ? 1 : Math.ceil(body.length / 67) };
  }
  return { encoding: 'GSM-7', units: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
}

export const OPT_OUT_LINE = 'Reply STOP to opt out';

/** A marketing SMS must say how to stop them: the line is added unless the body already names STOP. */
export function withOptOut(body: string): string {
  if (/\bSTOP\b/.test(body)) return body;
  return `${body.trimEnd()}\n${OPT_OUT_LINE}`;
}

/**
 * Country calling codes for numbers written without one, by the customer's country (ISO 3166
 * alpha-2). A national number's trunk prefix 0 is dropped (07700 900123 in GB is +447700900123),
 * except in Italy, where the 0 belongs to the number.
 */
const CALLING_CODES: Record<string, string> = {
  US: '1', CA: '1', GB: '44', IE: '353', FR: '33', DE: '49', ES: '34', IT: '39', PT: '351', NL: '31', BE: '32', LU: '352',
  CH: '41', AT: '43', DK: '45', SE: '46', NO: '47', FI: '358', IS: '354', PL: '48', CZ: '420', GR: '30', AU: '61', NZ: '64',
  JP: '81', KR: '82', SG: '65', HK: '852', IN: '91', BR: '55', MX: '52', AR: '54', ZA: '27', IL: '972', AE: '971',
};

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: string };

/**
 * A phone number in E.164 form (`+` and 8 to 15 digits, the first not 0). Spaces, dots, dashes and
 * brackets are ignored; `00` is the international prefix; a number without one needs the country.
 */
export function normalisePhone(input: string, country?: string | null): PhoneResult {
  const trimmed = input.trim();
  if (!/^[+\d\s().\-/]+$/.test(trimmed)) return { ok: false, reason: 'may hold only digits, spaces, dashes, dots, brackets and a leading +' };
  let digits = trimmed.replace(/[\s().\-/]/g, '');
  if (digits.startsWith('00')) digits = `+${digits.slice(2)}`;
  if (!digits.startsWith('+')) {
    const code = country ? CALLING_CODES[country.toUpperCase()] : undefined;
    if (!code) return { ok: false, reason: 'has no country code (write it as +<country code><number>)' };
    const national = code === '1' && digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : code !== '39' ? digits.replace(/^0/, '') : digits;
    digits = `+${code}${national}`;
  }
  if (digits.indexOf('+', 1) !== -1) return { ok: false, reason: 'has a + inside the number' };
  if (!/^\+[1-9]\d{7,14}$/.test(digits)) return { ok: false, reason: 'is not a phone number in E.164 form (+ and 8 to 15 digits)' };
  return { ok: true, e164: digits };
}
