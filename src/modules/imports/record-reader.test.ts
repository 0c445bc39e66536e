import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RecordReader, splitQuoted, type RecordSyntax } from './record-reader.js';

/** Reads text split into chunks of the given size (so records cross chunk boundaries). */
async function read(text: string, syntax: RecordSyntax, chunk = 3) {
  const buffer = Buffer.from(text);
  const pieces: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += chunk) pieces.push(buffer.subarray(i, i + chunk));
  const reader = new RecordReader(Readable.from(pieces), { syntax });
  const records = [];
  for await (const batch of reader.chunks()) records.push(...batch);
  return { records, reader };
}

describe('record reader', () => {
  it('splits CSV with quoted delimiters, doubled quotes, CRLF and line breaks inside quotes', async () => {
    const text = '\uFEFFa,b,c\r\n1,"x, y",3\r\n2,"say ""hi""",\r\n3,"two\r\nlines",z\r\n\r\n4,é,"€"';
    for (const chunk of [1, 2, 5, 1000]) {
      const { records } = await read(text, 'csv', chunk);
      expect(records.map((r) => r.fields)).toEqual([
        ['a', 'b', 'c'], ['1', 'x, y', '3'], ['2', 'say "hi"', ''], ['3', 'two\nlines', 'z'], ['4', 'é', '€'],
      ]);
      expect(records.map((r) => r.line)).toEqual([1, 2, 3, 4, 7]);
    }
  });

  it('splits blank-separated columns and keeps JSONL lines whole', async () => {
    const { records } = await read(' 00004 0001 19970101  2   29.33\r\n 00004 0001 19970118  2   29.73\r\n', 'whitespace');
    expect(records.map((r) => r.fields)).toEqual([['00004', '0001', '19970101', '2', '29.33'], ['00004', '0001', '19970118', '2', '29.73']]);
    const lines = await read('{"a":"x,y"}\n\n{"b":1}', 'lines');
    expect(lines.records.map((r) => [r.line, r.fields[0]])).toEqual([[1, '{"a":"x,y"}'], [3, '{"b":1}']]);
  });

  it('hashes the bytes it read', async () => {
    const { reader } = await read('a\nb\n', 'lines');
    const { createHash } = await import('node:crypto');
    expect(reader.sha256).toBe(createHash('sha256').update('a\nb\n').digest('hex'));
    expect(reader.bytesRead).toBe(4);
  });

  it('splits a quoted record field by field', () => {
    expect(splitQuoted('"a",b,"c""d",', ',')).toEqual(['a', 'b', 'c"d', '']);
    expect(splitQuoted('x;"y;z"', ';')).toEqual(['x', 'y;z']);
  });
});
