/**
 * A review photo is stored without its metadata (docs/listen.md, "Photos"): a JPEG's Exif (GPS,
 * make, owner), XMP, IPTC and comment, a PNG's eXIf and text chunks, a WebP's EXIF and XMP chunks
 * are gone from the file served to the world, the JPEG keeps its orientation, the pixels' bytes are
 * the ones sent, and Chromium still shows the served file at its size. Pictures come from Chromium's
 * own encoders (canvas) and from the byte builders in images.ts.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPhoto } from '../../src/modules/reviews/review-photos.js';
import { launchBrowser } from '../e2e/helpers/browser.js';
import { placeOrder, reviewsHarness, type ReviewsHarness } from './harness.js';
import { exifTiff, ifd0Tags, jpeg, jpegMarkers, jpegSegment, jpegWith, multipart, png, pngChunks, pngWith, riffChunks, webpExtended } from './images.js';

const GPS = { make: 'Pixelphone 9 SN-4471-2209', artist: 'Ada Lovelace', latitude: [51, 30, 26] as const };
const XMP = Buffer.from('http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><rdf:Description exif:GPSLatitude="51,30.43N" photoshop:City="London"/></x:xmpmeta>', 'latin1');
const IPTC = Buffer.from('Photoshop 3.0\x008BIM\x04\x04\0\0\0\0\0\x0c\x1c\x02\x50\0\x08Ada Love', 'latin1');
const COMMENT = Buffer.from('Taken at 12 Baker Street', 'latin1');
const MPF = Buffer.from('MPF\0MM\0*\0\0\0\x08', 'latin1');
const MOTION = Buffer.from('....ftypmp42 a motion photo\'s video', 'latin1');
/** Words that must not be in any stored photo. */
const SECRETS = ['Pixelphone', 'Ada Lovelace', 'GPSLatitude', 'Ada Love', 'Baker Street', 'motion photo', 'MPF\0'];
const secretsIn = (bytes: Buffer) => SECRETS.filter((s) => bytes.includes(Buffer.from(s, 'latin1')));
const checked = (bytes: Buffer) => {
  const result = checkPhoto(bytes);
  if ('reason' in result) throw new Error(result.reason);
  return result;
};

const GREY = jpeg();
const GREY_WITH_EVERYTHING = jpegWith(GREY, [
  jpegSegment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exifTiff(GPS)])), jpegSegment(0xe1, XMP), jpegSegment(0xed, IPTC),
  jpegSegment(0xe2, MPF), jpegSegment(0xfe, COMMENT),
], MOTION);

describe('stripping a photo\'s metadata, byte by byte', () => {
  it('leaves a JPEG as it would be without its Exif, XMP, IPTC, MPF, comment and trailer, and keeps an ICC profile', () => {
    expect(secretsIn(GREY_WITH_EVERYTHING)).toEqual(SECRETS);
    const stripped = checked(GREY_WITH_EVERYTHING);
    expect(stripped.bytes.equals(GREY)).toBe(true);
    expect(stripped).toMatchObject({ contentType: 'image/jpeg', width: 8, height: 8 });
    const icc = jpegSegment(0xe2, Buffer.from('ICC_PROFILE\0\x01\x01not a real profile', 'latin1'));
    expect(checked(jpegWith(GREY, [icc, jpegSegment(0xfe, COMMENT)])).bytes.equals(jpegWith(GREY, [icc]))).toBe(true);
  });

  it('walks fill bytes, stuffed 0xFF00 and restart markers in the scan without losing a byte of it', () => {
    const { scan } = jpegMarkers(GREY);
    const entropy = Buffer.from([0x3f, 0xff, 0x00, 0x12, 0xff, 0xd0, 0x3f, 0xff, 0xd1, 0x00]);
    const custom = Buffer.concat([GREY.subarray(0, scan), entropy, Buffer.from([0xff, 0xd9])]);
    expect(checked(Buffer.concat([GREY.subarray(0, scan), entropy, Buffer.from([0xff, 0xff, 0xff, 0xd9])])).bytes.equals(custom)).toBe(true);
    // Fill bytes before a marker among the segments are dropped; they carry nothing.
    expect(checked(jpegWith(GREY, [Buffer.from([0xff, 0xff]), jpegSegment(0xfe, COMMENT)])).bytes.equals(GREY)).toBe(true);
  });

  it('keeps only the orientation of a JPEG\'s Exif, and none when it is 1', () => {
    for (const orientation of [1, 3, 6, 8]) {
      const photo = checked(jpegWith(GREY, [jpegSegment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exifTiff({ ...GPS, orientation })]))]));
      expect(secretsIn(photo.bytes)).toEqual([]);
      const exif = jpegMarkers(photo.bytes).segments.get(0xe1) ?? [];
      if (orientation === 1) expect(exif).toEqual([]);
      else expect([...ifd0Tags(exif[0]!.subarray(6))]).toEqual([[0x0112, orientation]]);
    }
  });

  it('drops a PNG\'s eXIf, tEXt, zTXt, iTXt and tIME chunks and what follows IEND; the other chunks are kept whole', () => {
    const base = png(9, 4, [10, 120, 200]);
    const gama = Buffer.from([0, 0, 0xb1, 0x8f]);
    const full = pngWith(base, [['gAMA', gama], ['eXIf', exifTiff(GPS)], ['tEXt', Buffer.from('Author\0Ada Lovelace', 'latin1')], ['iTXt', Buffer.from('Comment\0\0\0en\0\0Taken at 12 Baker Street', 'latin1')]],
      [['zTXt', Buffer.from('Make\0\0x\x9c', 'latin1')], ['tIME', Buffer.from([7, 234, 12, 3, 9, 41, 0])]], MOTION);
    const photo = checked(full);
    expect(photo.bytes.equals(pngWith(base, [['gAMA', gama]]))).toBe(true);
    expect(pngChunks(photo.bytes).map((c) => c.type)).toEqual(['IHDR', 'gAMA', 'IDAT', 'IEND']);
    expect(photo).toMatchObject({ contentType: 'image/png', width: 9, height: 4, bytes: photo.bytes });
  });

  it('is idempotent: a stripped photo stripped again is the same bytes and digest', () => {
    for (const sent of [GREY_WITH_EVERYTHING, pngWith(png(3, 3, [1, 2, 3]), [['tEXt', Buffer.from('a\0b')]]), GREY, png(2, 2, [0, 0, 0])]) {
      const once = checked(sent);
      const twice = checked(once.bytes);
      expect(twice.bytes.equals(once.bytes)).toBe(true);
      expect(twice.sha256).toBe(once.sha256);
    }
  });

  it('never throws on damaged files, and what it accepts it strips idempotently', () => {
    // A fixed-seed generator (mulberry32), so a failure can be run again.
    let seed = 0x5eed;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const originals = [GREY_WITH_EVERYTHING, pngWith(png(5, 3, [9, 8, 7]), [['tEXt', Buffer.from('a\0b')]], [], MOTION),
      webpExtended(Buffer.from('RIFF\x0e\0\0\0WEBPVP8L\x02\0\0\0\x2f\0', 'latin1'), 1, 1, { exif: exifTiff(GPS), xmp: XMP })];
    let refused = 0;
    for (let round = 0; round < 3000; round += 1) {
      const bytes = Buffer.from(originals[round % originals.length]!);
      for (let n = 1 + Math.floor(random() * 4); n > 0; n -= 1) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      const cut = random() < 0.3 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes;
      const result = checkPhoto(cut);
      if ('reason' in result) {
        refused += 1;
        continue;
      }
      const again = checkPhoto(result.bytes);
      expect('reason' in again ? again.reason : again.bytes.equals(result.bytes)).toBe(true);
    }
    expect(refused).toBeGreaterThan(100);
  });

  it('refuses a file whose structure cannot be walked, saying what is wrong', () => {
    const longDqt = Buffer.from(GREY);
    longDqt.writeUInt16BE(0xfff0, 20 + 2);
    const truncatedPng = png(4, 4, [0, 0, 0]).subarray(0, 45);
    const longChunk = Buffer.from(png(4, 4, [0, 0, 0]));
    longChunk.writeUInt32BE(0x00ffffff, 33);
    const webp = webpExtended(Buffer.from('RIFF\x0e\0\0\0WEBPVP8L\x02\0\0\0\x2f\0', 'latin1'), 1, 1);
    const longRiff = Buffer.from(webp);
    longRiff.writeUInt32LE(webp.length, 4);
    const cases: [Buffer, string][] = [
      [longDqt, 'is a damaged JPEG file (a segment runs past the end of the file)'],
      [GREY.subarray(0, GREY.length - 2), 'is a damaged JPEG file (it ends before its end-of-image marker)'],
      [GREY.subarray(0, 30), 'is a damaged JPEG file (a segment runs past the end of the file)'],
      [Buffer.concat([GREY.subarray(0, 20), Buffer.from([0x00, 0x11]), GREY.subarray(20)]), 'is a damaged JPEG file (no marker at byte 20)'],
      [truncatedPng, 'is a damaged PNG file (the IDAT chunk runs past the end of the file)'],
      [png(4, 4, [0, 0, 0]).subarray(0, png(4, 4, [0, 0, 0]).length - 12), 'is a damaged PNG file (it ends before its IEND chunk)'],
      [longChunk, 'is a damaged PNG file (the IDAT chunk runs past the end of the file)'],
      // Cut inside IHDR, where the width and height are read.
      [png(4, 4, [0, 0, 0]).subarray(0, 20), 'is a damaged PNG file (the IHDR chunk runs past the end of the file)'],
      [longRiff, 'is a damaged WebP file (the RIFF size runs past the end of the file)'],
    ];
    for (const [bytes, reason] of cases) expect(checkPhoto(bytes), reason).toEqual({ reason });
  });
});

let h: ReviewsHarness;
let browser: Browser;
let page: Page;
let base: string;
/** A 40 × 20 picture from Chromium's JPEG and WebP encoders: a canvas with a gradient. */
let canvasJpeg: Buffer;
let canvasWebp: Buffer;

beforeAll(async () => {
  h = await reviewsHarness('Kiln & Co');
  await placeOrder(h, 'o-1', 'ada', ['mug', 'bowl', 'teapot']);
  await placeOrder(h, 'o-2', 'bob', ['mug', 'teapot']);
  base = await h.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchBrowser();
  page = await browser.newPage();
  // Scripts as text: the tests are compiled without the DOM's types.
  const encoded = await page.evaluate(`(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 40;
    canvas.height = 20;
    const context = canvas.getContext('2d');
    const gradient = context.createLinearGradient(0, 0, 40, 20);
    gradient.addColorStop(0, '#c03020');
    gradient.addColorStop(1, '#2040c0');
    context.fillStyle = gradient;
    context.fillRect(0, 0, 40, 20);
    return [canvas.toDataURL('image/jpeg', 0.9), canvas.toDataURL('image/webp', 0.9)];
  })()`) as string[];
  [canvasJpeg, canvasWebp] = encoded.map((url) => Buffer.from(url.split(',')[1]!, 'base64')) as [Buffer, Buffer];
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h.close();
});

type Photo = { id: string; url: string; content_type: string; bytes: number; width: number | null; height: number | null };
type Review = { id: string; product_id: string; order_id: string | null; photos: Photo[] };
const served = async (photo: Photo) => {
  const answer = await h.app.inject({ method: 'GET', url: new URL(photo.url).pathname });
  expect(answer.statusCode).toBe(200);
  return answer.rawPayload;
};
/** The size Chromium gives the served photo in an <img>, after its orientation. */
const shownSize = (photo: Photo) => page.evaluate(`(async () => {
  const img = new Image();
  img.src = ${JSON.stringify(`${base}${new URL(photo.url).pathname}`)};
  await img.decode();
  return [img.naturalWidth, img.naturalHeight];
})()`);

describe('photos stored without their metadata', () => {
  it('through the API: a phone\'s JPEG loses its GPS, make, owner and comment, keeps its orientation and its scan, and shows upright', async () => {
    expect(canvasJpeg.subarray(0, 2).equals(Buffer.from([0xff, 0xd8]))).toBe(true);
    const exif = jpegSegment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exifTiff({ ...GPS, orientation: 6 })]));
    const sent = jpegWith(canvasJpeg, [exif, jpegSegment(0xe1, XMP), jpegSegment(0xfe, COMMENT)], MOTION);
    // The same picture without any metadata: the same photo once stripped.
    const created = await h.api('POST', '/api/v1/reviews', {
      review_id: 'api-1', product_id: 'teapot', customer_id: 'bob', order_id: 'o-2', rating: 5, body: 'Pours well',
      photos: [{ data: sent.toString('base64') }, { data: jpegWith(canvasJpeg, [exif]).toString('base64') }],
    });
    expect(created.statusCode, created.body).toBe(201);
    const { photos } = created.json() as Review;
    expect(photos).toHaveLength(1);
    const file = await served(photos[0]!);
    expect(secretsIn(file)).toEqual([]);
    expect(photos[0]).toMatchObject({ content_type: 'image/jpeg', bytes: file.length, width: 20, height: 40 });

    const before = jpegMarkers(canvasJpeg);
    const after = jpegMarkers(file);
    // Chromium's own segments in their order, with the Exif's APP1 (orientation only) after SOI.
    expect(after.markers).toEqual([0xe1, ...before.markers.filter((m) => m !== 0xe1 && m !== 0xfe)]);
    expect([...ifd0Tags(after.segments.get(0xe1)![0]!.subarray(6))]).toEqual([[0x0112, 6]]);
    for (const marker of [0xdb, 0xc4, 0xc0, 0xda]) expect(after.segments.get(marker), marker.toString(16)).toEqual(before.segments.get(marker));
    // The entropy-coded data and EOI, byte for byte; the trailer gone.
    expect(file.subarray(after.scan).equals(canvasJpeg.subarray(before.scan))).toBe(true);
    expect(await shownSize(photos[0]!)).toEqual([20, 40]);
  });

  it('through the hosted page: a PNG without its text and eXIf chunks, a WebP without EXIF and XMP, pixels untouched, shown at their size', async () => {
    const link = (await h.api('POST', '/api/v1/reviews/links', { customer_id: 'ext:ada', order_id: 'o-1' })).json() as { token: string };
    const plainPng = png(30, 20, [200, 120, 40]);
    const sentPng = pngWith(plainPng, [['eXIf', exifTiff(GPS)], ['tEXt', Buffer.from('Author\0Ada Lovelace', 'latin1')]], [['tIME', Buffer.from([7, 234, 12, 3, 9, 41, 0])]]);
    // Chromium's WebP is extended already, with its ICC profile: both stay.
    expect(riffChunks(canvasWebp).map((c) => c.fourcc)).toEqual(['VP8X', 'ICCP', 'VP8 ']);
    const sentWebp = webpExtended(canvasWebp, 40, 20, { exif: exifTiff(GPS), xmp: XMP.subarray(29) }, MOTION);
    const { body, contentType } = multipart([
      { name: 'rating_0', value: '5' }, { name: 'photos_0', filename: 'mug.png', type: 'image/png', data: sentPng },
      { name: 'rating_1', value: '4' }, { name: 'photos_1', filename: 'bowl.webp', type: 'image/webp', data: sentWebp },
    ]);
    const answer = await h.app.inject({ method: 'POST', url: `/r/${link.token}`, headers: { 'content-type': contentType }, payload: body });
    expect(answer.statusCode, answer.body).toBe(200);
    const reviews = ((await h.api('GET', '/api/v1/reviews')).json() as { data: Review[] }).data.filter((r) => r.order_id === 'o-1');
    const mug = reviews.find((r) => r.product_id === 'mug')!.photos[0]!;
    const bowl = reviews.find((r) => r.product_id === 'bowl')!.photos[0]!;

    const pngFile = await served(mug);
    expect(pngFile.equals(plainPng)).toBe(true);
    expect(pngChunks(pngFile).find((c) => c.type === 'IDAT')!.data.equals(pngChunks(sentPng).find((c) => c.type === 'IDAT')!.data)).toBe(true);
    expect(mug).toMatchObject({ content_type: 'image/png', bytes: plainPng.length, width: 30, height: 20 });

    const webpFile = await served(bowl);
    expect(secretsIn(webpFile)).toEqual([]);
    expect(webpFile.equals(webpExtended(canvasWebp, 40, 20))).toBe(true);
    const chunks = riffChunks(webpFile);
    expect(chunks.map((c) => c.fourcc)).toEqual(['VP8X', 'ICCP', 'VP8 ']);
    expect(riffChunks(sentWebp)[0]!.data[0]).toBe(0x20 | 0x08 | 0x04);
    expect(chunks[0]!.data[0]).toBe(0x20);
    for (const i of [1, 2]) expect(chunks[i]!.data.equals(riffChunks(canvasWebp)[i]!.data)).toBe(true);
    expect(webpFile.readUInt32LE(4)).toBe(webpFile.length - 8);
    expect(bowl).toMatchObject({ content_type: 'image/webp', bytes: webpFile.length, width: 40, height: 20 });

    expect(await shownSize(mug)).toEqual([30, 20]);
    expect(await shownSize(bowl)).toEqual([40, 20]);
    // Chromium decodes the WebP as sent and as stored to the same pixels.
    const pixels = (bytes: Buffer) => page.evaluate(`(async () => {
      const img = new Image();
      img.src = 'data:image/webp;base64,${bytes.toString('base64')}';
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const context = canvas.getContext('2d');
      context.drawImage(img, 0, 0);
      return Array.from(context.getImageData(0, 0, canvas.width, canvas.height).data).join(',');
    })()`);
    expect(await pixels(webpFile)).toBe(await pixels(sentWebp));
  });

  it('refuses a damaged photo with a 422 naming its field, through the API and the hosted page; nothing is stored', async () => {
    const before = ((await h.api('GET', '/api/v1/reviews')).json() as { data: Review[] }).data.length;
    const cut = canvasJpeg.subarray(0, 200);
    const api = await h.api('POST', '/api/v1/reviews', {
      review_id: 'api-2', product_id: 'mug', customer_id: 'bob', order_id: 'o-2', rating: 4, body: 'Nice',
      photos: [{ data: GREY.toString('base64') }, { data: cut.toString('base64') }],
    });
    expect(api.statusCode).toBe(422);
    expect(api.json().error.details).toEqual([{ path: 'photos.1.data', reason: expect.stringMatching(/^is a damaged JPEG file \(/) }]);

    const link = (await h.api('POST', '/api/v1/reviews/links', { customer_id: 'ext:ada', order_id: 'o-1' })).json() as { token: string };
    const brokenWebp = Buffer.from(webpExtended(canvasWebp, 40, 20));
    brokenWebp.writeUInt32LE(0x7fffffff, brokenWebp.indexOf('VP8 ', 12, 'latin1') + 4);
    const { body, contentType } = multipart([{ name: 'rating_2', value: '5' }, { name: 'photos_2', filename: 'pot.webp', type: 'image/webp', data: brokenWebp }]);
    const page422 = await h.app.inject({ method: 'POST', url: `/r/${link.token}`, headers: { 'content-type': contentType }, payload: body });
    expect(page422.statusCode).toBe(422);
    expect(page422.json().error.details).toEqual([{ path: 'photos_2', reason: 'Cast-iron Teapot: the photo “pot.webp” is a damaged WebP file (the VP8 chunk runs past the end of the RIFF)' }]);
    expect(((await h.api('GET', '/api/v1/reviews')).json() as { data: Review[] }).data.length).toBe(before);
  });
});
