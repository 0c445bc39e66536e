/**
 * A review photo's metadata removed before it is stored (docs/listen.md, "Photos"): a phone's
 * photo carries where it was taken (EXIF GPS), the device's serial number, the owner's name and
 * the time, and the photo is public once its review is. The container is rewritten without those
 * parts; the pixels' bytes are copied as they are, never decoded or encoded again.
 *
 * - JPEG (ITU T.81, annex B): segments are walked by their lengths. Kept: APP0 (JFIF), APP2 only
 *   when it is an ICC profile, APP14 (Adobe's colour transform) and every segment that decodes the
 *   image; the entropy-coded data between markers is copied untouched. Dropped: APP1 (Exif, XMP),
 *   APP13 (Photoshop, IPTC), COM, every other APPn (makers' notes, MPF), and anything after EOI
 *   (a "motion photo" appends a video there). The EXIF Orientation tag says how to turn the
 *   picture (a portrait photo is stored sideways with 6 or 8), so a new APP1 holding only that
 *   tag is put where the Exif was.
 * - PNG (PNG 3rd edition, section 5): eXIf, tEXt, zTXt, iTXt and tIME are dropped; every other
 *   chunk is copied with its CRC; nothing after IEND is kept.
 * - WebP (RFC 9649): the EXIF and XMP chunks are dropped, VP8X's two flags for them cleared and
 *   the RIFF size written again; nothing after the RIFF is kept.
 *
 * Stripping a stripped file gives the same bytes. A file whose structure cannot be walked (a
 * length running past the end, a missing end marker) is refused: its pixels' bounds are unknown.
 */
import type { PhotoType } from './review-photos.js';

export type Stripped = { bytes: Buffer; orientation: number } | { reason: string };

/** The photo without its metadata, with its EXIF orientation (1 when none), or why it is refused. */
export function stripMetadata(type: PhotoType, bytes: Buffer): Stripped {
  if (type === 'image/jpeg') return stripJpeg(bytes);
  if (type === 'image/png') return stripPng(bytes);
  return stripWebp(bytes);
}

const damaged = (what: string, why: string) => ({ reason: `is a damaged ${what} file (${why})` });

const APP0 = 0xe0;
const APP1 = 0xe1;
const APP2 = 0xe2;
const APP14 = 0xee;
const SOS = 0xda;
const EOI = 0xd9;
const SOI = 0xd8;
const COM = 0xfe;

/** Segments with no length: TEM and the eight restart markers. */
const standalone = (marker: number) => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);

function keepJpegSegment(marker: number, data: Buffer): boolean {
  if (marker === APP0 || marker === APP14) return true;
  if (marker === APP2) return data.toString('latin1', 0, 12) === 'ICC_PROFILE\0';
  if ((marker >= 0xe0 && marker <= 0xef) || marker === COM) return false;
  return true;
}

function stripJpeg(bytes: Buffer): Stripped {
  const out: Buffer[] = [bytes.subarray(0, 2)];
  let orientation = 1;
  let orientationWritten = false;
  let at = 2;
  for (;;) {
    if (at >= bytes.length) return damaged('JPEG', 'it ends before its end-of-image marker');
    if (bytes[at] !== 0xff) return damaged('JPEG', `no marker at byte ${at}`);
    // Any number of 0xFF fill bytes may precede a marker (T.81, B.1.1.2); they are not kept.
    while (at + 1 < bytes.length && bytes[at + 1] === 0xff) at += 1;
    if (at + 1 >= bytes.length) return damaged('JPEG', 'it ends before its end-of-image marker');
    const marker = bytes[at + 1]!;
    if (marker === EOI) {
      out.push(bytes.subarray(at, at + 2));
      break;
    }
    if (marker === SOI || marker === 0x00) return damaged('JPEG', `an unexpected marker at byte ${at}`);
    if (standalone(marker)) {
      out.push(bytes.subarray(at, at + 2));
      at += 2;
      continue;
    }
    if (at + 4 > bytes.length) return damaged('JPEG', 'a segment runs past the end of the file');
    const length = bytes.readUInt16BE(at + 2);
    if (length < 2 || at + 2 + length > bytes.length) return damaged('JPEG', 'a segment runs past the end of the file');
    const data = bytes.subarray(at + 4, at + 2 + length);
    if (marker === APP1 && !orientationWritten && data.toString('latin1', 0, 6) === 'Exif\0\0') {
      orientation = exifOrientation(data.subarray(6));
      orientationWritten = true;
      if (orientation !== 1) out.push(orientationSegment(orientation));
    } else if (keepJpegSegment(marker, data)) {
      out.push(bytes.subarray(at, at + 2 + length));
    }
    at += 2 + length;
    if (marker !== SOS) continue;
    // The scan's entropy-coded data runs to the next marker that is neither a stuffed 0xFF00 nor a
    // restart marker (B.1.1.5); it is copied as it is.
    const start = at;
    while (at < bytes.length) {
      if (bytes[at] === 0xff && at + 1 < bytes.length) {
        const next = bytes[at + 1]!;
        if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) {
          at += 2;
          continue;
        }
        break;
      }
      at += 1;
    }
    if (at >= bytes.length - 1) return damaged('JPEG', 'it ends before its end-of-image marker');
    out.push(bytes.subarray(start, at));
  }
  return { bytes: Buffer.concat(out), orientation };
}

/**
 * The Orientation tag (0x0112, a SHORT from 1 to 8) of IFD0 in an Exif TIFF structure (Exif 2.32,
 * section 4.6.4); 1 (as stored) when it is missing or the structure cannot be read.
 */
function exifOrientation(tiff: Buffer): number {
  if (tiff.length < 8) return 1;
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return 1;
  const u16 = (at: number) => (order === 'II' ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (order === 'II' ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  if (u16(2) !== 42) return 1;
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return 1;
  const count = u16(ifd);
  for (let i = 0; i < count; i += 1) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return 1;
    if (u16(entry) !== 0x0112) continue;
    const value = u16(entry + 8);
    return u16(entry + 2) === 3 && u32(entry + 4) === 1 && value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}

/** An APP1 Exif segment holding only the Orientation tag: big-endian TIFF, IFD0 of one entry. */
function orientationSegment(orientation: number): Buffer {
  const segment = Buffer.alloc(2 + 2 + 6 + 8 + 2 + 12 + 4);
  segment.set([0xff, APP1], 0);
  segment.writeUInt16BE(segment.length - 2, 2);
  segment.write('Exif\0\0MM', 4, 'latin1');
  segment.writeUInt16BE(42, 12);
  segment.writeUInt32BE(8, 14);
  segment.writeUInt16BE(1, 18);
  segment.writeUInt16BE(0x0112, 20);
  segment.writeUInt16BE(3, 22);
  segment.writeUInt32BE(1, 24);
  segment.writeUInt16BE(orientation, 28);
  // The next IFD's offset (none) is the last four bytes, left zero.
  return segment;
}

const PNG_DROPPED = new Set(['eXIf', 'tEXt', 'zTXt', 'iTXt', 'tIME']);

function stripPng(bytes: Buffer): Stripped {
  const out: Buffer[] = [bytes.subarray(0, 8)];
  let at = 8;
  for (let first = true; ; first = false) {
    if (at + 8 > bytes.length) return damaged('PNG', 'it ends before its IEND chunk');
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    if (!/^[A-Za-z]{4}$/.test(type)) return damaged('PNG', `a chunk without a type at byte ${at}`);
    if (length > 0x7fffffff || at + 12 + length > bytes.length) return damaged('PNG', `the ${type} chunk runs past the end of the file`);
    if (first && (type !== 'IHDR' || length !== 13)) return damaged('PNG', 'it does not start with IHDR');
    if (!PNG_DROPPED.has(type)) out.push(bytes.subarray(at, at + 12 + length));
    at += 12 + length;
    if (type === 'IEND') break;
  }
  return { bytes: Buffer.concat(out), orientation: 1 };
}

const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;

function stripWebp(bytes: Buffer): Stripped {
  if (bytes.length < 12) return damaged('WebP', 'it ends inside its header');
  const end = 8 + bytes.readUInt32LE(4);
  if (end > bytes.length) return damaged('WebP', 'the RIFF size runs past the end of the file');
  const chunks: Buffer[] = [];
  let at = 12;
  while (at < end) {
    if (at + 8 > end) return damaged('WebP', 'a chunk header runs past the end of the RIFF');
    const fourcc = bytes.toString('latin1', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    // A chunk of odd size is followed by one byte of padding (RFC 9649, section 2.4).
    const next = at + 8 + size + (size % 2);
    if (next > end) return damaged('WebP', `the ${fourcc.trim()} chunk runs past the end of the RIFF`);
    if (fourcc === 'VP8X' && size >= 10) {
      const chunk = Buffer.from(bytes.subarray(at, next));
      chunk[8] = chunk[8]! & ~(VP8X_EXIF | VP8X_XMP);
      chunks.push(chunk);
    } else if (fourcc !== 'EXIF' && fourcc !== 'XMP ') {
      chunks.push(bytes.subarray(at, next));
    }
    at = next;
  }
  if (!chunks.length) return damaged('WebP', 'it holds no image');
  const header = Buffer.from(bytes.subarray(0, 12));
  header.writeUInt32LE(4 + chunks.reduce((sum, c) => sum + c.length, 0), 4);
  return { bytes: Buffer.concat([header, ...chunks]), orientation: 1 };
}
