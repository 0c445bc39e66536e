/**
 * Tracked links: every web link of a message becomes a signed redirect to that exact URL; the
 * unsubscribe links stay as they are; a token cannot be forged, altered or turned into another kind.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addOpenPixel, signTracking, trackingStore, trackLinks, verifyTracking, type TrackedLink } from '../../src/modules/messaging/link-tracking.js';

const key = randomBytes(32);

describe('tracked links', () => {
  it('rewrites web links only, keeps the unsubscribe link, and each redirect names its own URL', () => {
    const html = `<p><a href="https://shop.example/p/boots?utm=x&amp;a=1" class="button">Boots</a>
      <a class="x" href='http://shop.example/sale'>Sale</a> <a href="mailto:help@shop.example">Mail us</a>
      <a href="#top">Top</a> <a href="https://h.example/u/abc">Unsubscribe</a> <a name="n">no href</a>
      <A HREF="https://shop.example/Hats">Hats</A> <abbr href="https://shop.example/not-a-link">x</abbr></p>`;
    const seen: string[] = [];
    const out = trackLinks(html, {
      keep: ['https://h.example/u/abc'],
      redirect: (url) => {
        seen.push(url);
        return `https://h.example/t/c/${signTracking(key, { store: 'st_1', send: 'campaign:cmp_1:7', customer: 7, url })}`;
      },
    });
    // Tag and attribute names in any case; an <abbr> is not a link.
    expect(seen).toEqual(['https://shop.example/p/boots?utm=x&a=1', 'http://shop.example/sale', 'https://shop.example/Hats']);
    expect(out).toContain('<abbr href="https://shop.example/not-a-link">');
    expect(out).toContain('href="mailto:help@shop.example"');
    expect(out).toContain('href="#top"');
    expect(out).toContain('href="https://h.example/u/abc"');
    expect(out).toContain('class="button"');
    const tokens = [...out.matchAll(/\/t\/c\/([^"']+)/g)].map((m) => m[1]!);
    expect(tokens).toHaveLength(3);
    expect(tokens.map((t) => verifyTracking<TrackedLink>(key, t, 'link')?.url)).toEqual(seen);
  });

  it('refuses a forged, altered, foreign or wrong-kind token, and a link to anything but the web', () => {
    const token = signTracking(key, { store: 'st_1', send: 's', customer: 1, url: 'https://shop.example/' });
    expect(verifyTracking(key, token, 'link')).toEqual({ store: 'st_1', send: 's', customer: 1, url: 'https://shop.example/' });
    const [body, signature] = token.split('.');
    const altered = Buffer.from(JSON.stringify({ store: 'st_1', send: 's', customer: 1, url: 'https://evil.example/' })).toString('base64url');
    expect(verifyTracking(key, `${altered}.${signature}`, 'link')).toBeUndefined();
    expect(verifyTracking(randomBytes(32), token, 'link')).toBeUndefined();
    expect(verifyTracking(key, `${body}.${signature}.x`, 'link')).toBeUndefined();
    expect(verifyTracking(key, token, 'open')).toBeUndefined();
    expect(verifyTracking(key, signTracking(key, { store: 'st_1', send: 's', customer: 1, url: 'javascript:alert(1)' }), 'link')).toBeUndefined();
    expect(verifyTracking(key, 'garbage', 'link')).toBeUndefined();
    expect(verifyTracking(key, signTracking(key, { store: 'st_1', send: 's', customer: 2 }), 'open')).toEqual({ store: 'st_1', send: 's', customer: 2 });
    expect(trackingStore(token)).toBe('st_1');
  });

  it('puts the open pixel before the end of the body', () => {
    expect(addOpenPixel('<html><body><p>Hi</p></body></html>', 'https://h.example/t/o/x.gif')).toBe(
      '<html><body><p>Hi</p><img src="https://h.example/t/o/x.gif" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0" /></body></html>',
    );
  });
});
