import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { encodeQuotedPrintable } from './quoted-printable.js';
import { seededRandom } from './random.js';

/** What a mail client reads back: the part parsed by mailparser, which decodes quoted-printable itself. */
async function readBack(encoded: Buffer): Promise<string> {
  const head = Buffer.from('Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n', 'latin1');
  const parsed = await simpleParser(Buffer.concat([head, encoded]));
  return parsed.html === false ? '' : (parsed.html ?? '');
}

const pieces = ['a', 'Z', '=', ' ', '\t', '\n', '\r\n', '\r', '.', '<a href="x">', 'é', '€', '—', '😀', '\u0000', '\u007f', 'ß', '\ud800', 'x'.repeat(90), ' \n', '\t\r\n', '=\n'];

function randomText(random: () => number, length: number): string {
  let text = '';
  while (text.length < length) text += pieces[Math.floor(random() * pieces.length)];
  return text;
}

/** RFC 2045 §6.7: lines of at most 76 characters, no white space before a line break, only `=XX` escapes. */
function checkShape(encoded: Buffer): void {
  const lines = encoded.toString('latin1').split('\r\n');
  for (const line of lines) {
    expect(line.length).toBeLessThanOrEqual(76);
    expect(line).not.toMatch(/[ \t]$/);
    expect(line).toMatch(/^(?:[\x21-\x3c\x3e-\x7e \t]|=[0-9A-F]{2}|=$)*$/);
  }
  expect(encoded.toString('latin1')).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
}

describe('encodeQuotedPrintable', () => {
  it('reads back as the same text in a mail parser (a lone surrogate as U+FFFD)', async () => {
    const random = seededRandom(2045);
    for (let round = 0; round < 40; round += 1) {
      const text = randomText(random, 1 + Math.floor(random() * 600));
      const encoded = encodeQuotedPrintable(text);
      checkShape(encoded);
      // Line breaks go as CRLF, and the parser gives them back as LF.
      const expected = Buffer.from(text.replace(/\r?\n/g, '\n'), 'utf8').toString('utf8');
      expect(await readBack(encoded)).toBe(expected);
      // The text's UTF-8 octets (a stored body inflated) encode the same.
      expect(encodeQuotedPrintable(new Uint8Array(Buffer.from(text, 'utf8')))).toEqual(encoded);
    }
  });

  it('writes the examples by hand as RFC 2045 would', () => {
    expect(encodeQuotedPrintable('a=b').toString()).toBe('a=3Db');
    expect(encodeQuotedPrintable('Grüße €').toString()).toBe('Gr=C3=BC=C3=9Fe =E2=82=AC');
    expect(encodeQuotedPrintable('end \nnext\t').toString()).toBe('end=20\r\nnext=09');
    expect(encodeQuotedPrintable('😀').toString()).toBe('=F0=9F=98=80');
    // 80 plain letters: 75 on the first line with a soft break, then the rest.
    expect(encodeQuotedPrintable('y'.repeat(80)).toString()).toBe(`${'y'.repeat(75)}=\r\n${'y'.repeat(5)}`);
    // An escape is never split across the soft break.
    expect(encodeQuotedPrintable(`${'y'.repeat(74)}é`).toString()).toBe(`${'y'.repeat(74)}=\r\n=C3=A9`);
  });
});
