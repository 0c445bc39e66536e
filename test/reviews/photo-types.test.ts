/**
 * What decides a photo's type: its first bytes. The three accepted signatures with the size their
 * headers hold (PNG's IHDR, a JPEG's start-of-frame, the three WebP headers of RFC 9649), and
 * files that only claim to be images.
 */
import { describe, expect, it } from 'vitest';
import { checkPhoto, sniffImage } from '../../src/modules/reviews/review-photos.js';
import { jpeg, png } from './images.js';

/** A WebP file's first bytes: RIFF, its length, WEBP, then the chunk (the pixels are not read). */
function webp(chunk: 'VP8 ' | 'VP8L' | 'VP8X', width: number, height: number): Buffer {
  const head = Buffer.alloc(40);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(32, 4);
  head.write('WEBP', 8, 'latin1');
  head.write(chunk, 12, 'latin1');
  head.writeUInt32LE(20, 16);
  if (chunk === 'VP8 ') {
    head.set([0x9d, 0x01, 0x2a], 23);
    head.writeUInt16LE(width, 26);
    head.writeUInt16LE(height, 28);
  } else if (chunk === 'VP8L') {
    head[20] = 0x2f;
    head.writeUInt32LE(((width - 1) | ((height - 1) << 14)) >>> 0, 21);
  } else {
    head.writeUIntLE(width - 1, 24, 3);
    head.writeUIntLE(height - 1, 27, 3);
  }
  return head;
}

describe('a photo\'s type', () => {
  it('is read from the signature, with the size from the header', () => {
    expect(sniffImage(png(640, 480, [1, 2, 3]))).toEqual({ contentType: 'image/png', width: 640, height: 480 });
    expect(sniffImage(jpeg())).toEqual({ contentType: 'image/jpeg', width: 8, height: 8 });
    expect(sniffImage(webp('VP8 ', 300, 200))).toEqual({ contentType: 'image/webp', width: 300, height: 200 });
    expect(sniffImage(webp('VP8L', 1024, 768))).toEqual({ contentType: 'image/webp', width: 1024, height: 768 });
    expect(sniffImage(webp('VP8X', 4000, 3000))).toEqual({ contentType: 'image/webp', width: 4000, height: 3000 });
  });

  it('refuses what only claims to be an image', () => {
    const claims = [
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), Buffer.from('<!doctype html><p>hi</p>'), Buffer.from('GIF89a\x01\x00\x01\x00'),
      Buffer.from('%PDF-1.7'), Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt '), png(2, 2, [0, 0, 0]).subarray(1),
    ];
    for (const bytes of claims) expect(checkPhoto(bytes), bytes.toString('latin1', 0, 12)).toEqual({ reason: 'is not a JPEG, PNG or WebP image' });
    expect(checkPhoto(Buffer.alloc(0))).toEqual({ reason: 'is empty' });
    expect(checkPhoto(Buffer.concat([png(1, 1, [0, 0, 0]), Buffer.alloc(5 * 1024 * 1024)]))).toEqual({ reason: 'is larger than 5 MB' });
    // Exactly 5 MB is allowed.
    const exact = png(1, 1, [0, 0, 0]);
    const five = Buffer.concat([exact, Buffer.alloc(5 * 1024 * 1024 - exact.length)]);
    expect(checkPhoto(five)).toMatchObject({ contentType: 'image/png', width: 1, height: 1 });
  });
});
