/**
 * Quoted-printable (RFC 2045 §6.7) of a text's UTF-8 octets, in one pass over the string.
 *
 * Printable ASCII other than `=` stays as it is; `=`, control characters, a lone CR and every octet
 * of a non-ASCII character become `=XX`; a space or tab before a line break (or at the end) is
 * encoded so that no encoded line ends in white space. Line breaks (LF or CRLF) become CRLF, and
 * longer lines are broken with a soft break (`=`) so that none exceeds 76 characters, never inside
 * an `=XX`. The octets are written straight into a buffer, which keeps it fast on a 30 KiB HTML part.
 */
const HEX = Buffer.from('0123456789ABCDEF', 'latin1');
/** Characters on a line before the soft break's `=`. */
const ROOM = 75;
const EQUALS = 61;
const CR = 13;
const LF = 10;
/** The most one step of the loop writes: a soft break and a 4-octet character. */
const STEP = 3 + 12 + 2;

/** The UTF-8 octets of the code point at `text[i]` (a lone surrogate as U+FFFD, as Buffer.from does), and the code units it took. */
function utf8At(text: string, i: number): [number[], number] {
  const code = text.charCodeAt(i);
  if (code < 0x80) return [[code], 1];
  if (code < 0x800) return [[0xc0 | (code >> 6), 0x80 | (code & 63)], 1];
  if (code >= 0xd800 && code <= 0xdbff) {
    const low = text.charCodeAt(i + 1);
    if (low >= 0xdc00 && low <= 0xdfff) {
      const point = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
      return [[0xf0 | (point >> 18), 0x80 | ((point >> 12) & 63), 0x80 | ((point >> 6) & 63), 0x80 | (point & 63)], 2];
    }
  }
  const point = code >= 0xd800 && code <= 0xdfff ? 0xfffd : code;
  return [[0xe0 | (point >> 12), 0x80 | ((point >> 6) & 63), 0x80 | (point & 63)], 1];
}

/** A space or tab that ends a line (or the text) must be encoded. */
function endsLine(text: string, i: number): boolean {
  const next = text.charCodeAt(i + 1);
  return i + 1 >= text.length || next === LF || (next === CR && text.charCodeAt(i + 2) === LF);
}

export function encodeQuotedPrintable(text: string): Buffer {
  const n = text.length;
  let bytes = Buffer.allocUnsafe(Math.ceil(n * 1.2) + 64);
  let at = 0;
  let line = 0;
  let i = 0;
  while (i < n) {
    if (at + STEP > bytes.length) {
      const larger = Buffer.allocUnsafe(bytes.length * 2);
      bytes.copy(larger, 0, 0, at);
      bytes = larger;
    }
    const code = text.charCodeAt(i);
    // Printable ASCII but `=`, and a space or tab within a line, go as they are.
    if ((code >= 33 && code <= 126 && code !== EQUALS) || ((code === 32 || code === 9) && !endsLine(text, i))) {
      if (line === ROOM) {
        bytes[at++] = EQUALS;
        bytes[at++] = CR;
        bytes[at++] = LF;
        line = 0;
      }
      bytes[at++] = code;
      line += 1;
      i += 1;
      continue;
    }
    if (code === LF || (code === CR && text.charCodeAt(i + 1) === LF)) {
      bytes[at++] = CR;
      bytes[at++] = LF;
      line = 0;
      i += code === CR ? 2 : 1;
      continue;
    }
    const [octets, units] = utf8At(text, i);
    if (line + 3 * octets.length > ROOM) {
      bytes[at++] = EQUALS;
      bytes[at++] = CR;
      bytes[at++] = LF;
      line = 0;
    }
    for (const octet of octets) {
      bytes[at++] = EQUALS;
      bytes[at++] = HEX[octet >> 4]!;
      bytes[at++] = HEX[octet & 15]!;
    }
    line += 3 * octets.length;
    i += units;
  }
  return bytes.subarray(0, at);
}
