import { describe, expect, it } from 'vitest';
import { loneSurrogatePath, mayHoldSurrogate, repairSurrogates } from './unicode.js';

describe('lone surrogates', () => {
  it('finds the path of the first key or value holding one', () => {
    const parsed = JSON.parse('{"a":{"b":["ok","\\ud800x"]},"c":"\\udc00"}');
    expect(loneSurrogatePath(parsed)).toBe('a.b.1');
    expect(loneSurrogatePath(JSON.parse('{"\\udfff":1}'))).toBe('\udfff');
    expect(loneSurrogatePath(JSON.parse('"\\ud83d"'))).toBe('(body)');
  });

  it('passes pairs (emoji) and plain text', () => {
    const text = '{"name":"\\ud83d\\ude00 Café","n":[1,null,true]}';
    expect(mayHoldSurrogate(text)).toBe(true);
    expect(loneSurrogatePath(JSON.parse(text))).toBeUndefined();
    expect(mayHoldSurrogate('{"name":"Café"}')).toBe(false);
  });

  it('repairs them to U+FFFD, keeping pairs', () => {
    const repaired = repairSurrogates(JSON.parse('{"a\\ud800":["\\udc00x","\\ud83d\\ude00"],"n":1}'));
    expect(repaired).toEqual({ 'a\ufffd': ['\ufffdx', '😀'], n: 1 });
    expect(loneSurrogatePath(repaired)).toBeUndefined();
  });
});
