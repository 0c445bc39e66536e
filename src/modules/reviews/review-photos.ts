/**
 * Photos on reviews (docs/listen.md, "Photos"): at most three per review, each at most 5 MB, and
 * only JPEG, PNG or WebP — the type is read from the file's first bytes, never taken from the
 * name or the type the sender declared — stored without its metadata (photo-metadata.ts). The bytes are a file under the data directory
 * (`review-photos/<store>/<photo id>.<ext>`), written before the review's transaction and removed
 * again when the review is not stored, so a refused or repeated review leaves no photo behind.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stripMetadata } from './photo-metadata.js';
import type { ReviewPhotoTable, ReviewsDb, ReviewsTx } from './reviews.table.js';

export const MAX_PHOTOS = 3;
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoType = (typeof PHOTO_TYPES)[number];
const EXTENSIONS: Record<PhotoType, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

export interface ImageHeader {
  contentType: PhotoType;
  width: number | null;
  height: number | null;
}

const ascii = (bytes: Buffer, from: number, to: number) => (bytes.length >= to ? bytes.toString('latin1', from, to) : '');

/** The size in a JPEG's start-of-frame segment (any SOFn but DHT, JPG and DAC), walking the segments from the start. */
function jpegSize(bytes: Buffer): { width: number; height: number } | null {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
      at += 2;
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
    at += 2 + bytes.readUInt16BE(at + 2);
  }
  return null;
}

/** The image type from the file's signature, with its size when the header holds it; null for anything else. */
export function sniffImage(bytes: Buffer): ImageHeader | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    const size = jpegSize(bytes);
    return { contentType: 'image/jpeg', width: size?.width ?? null, height: size?.height ?? null };
  }
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    const ihdr = bytes.length >= 24 && ascii(bytes, 12, 16) === 'IHDR';
    return { contentType: 'image/png', width: ihdr ? bytes.readUInt32BE(16) : null, height: ihdr ? bytes.readUInt32BE(20) : null };
  }
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') {
    const chunk = ascii(bytes, 12, 16);
    // The three WebP bitstreams keep the size in three different places (RFC 9649, section 2.5–2.7).
    if (chunk === 'VP8 ' && bytes.length >= 30) return { contentType: 'image/webp', width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
    if (chunk === 'VP8L' && bytes.length >= 25 && bytes[20] === 0x2f) {
      const bits = bytes.readUInt32LE(21);
      return { contentType: 'image/webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    if (chunk === 'VP8X' && bytes.length >= 30) return { contentType: 'image/webp', width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
    return { contentType: 'image/webp', width: null, height: null };
  }
  return null;
}

/** A photo that passed the checks, not stored yet. */
export interface CheckedPhoto extends ImageHeader {
  bytes: Buffer;
  sha256: string;
}

/**
 * The photo without its metadata (photo-metadata.ts), or why it is refused (a reason to put after
 * the field's name). The size limit is the file as sent; the bytes, their size and their digest are
 * those stored. Width and height are as the picture is shown: swapped when its EXIF orientation
 * turns it a quarter (5 to 8).
 */
export function checkPhoto(sent: Buffer): CheckedPhoto | { reason: string } {
  if (sent.length === 0) return { reason: 'is empty' };
  if (sent.length > MAX_PHOTO_BYTES) return { reason: `is larger than ${MAX_PHOTO_BYTES / 1024 / 1024} MB` };
  const type = sniffImage(sent)?.contentType;
  if (!type) return { reason: 'is not a JPEG, PNG or WebP image' };
  const stripped = stripMetadata(type, sent);
  if ('reason' in stripped) return stripped;
  const { bytes, orientation } = stripped;
  const header = sniffImage(bytes)!;
  const turned = orientation >= 5;
  return {
    contentType: header.contentType, width: turned ? header.height : header.width, height: turned ? header.width : header.height,
    bytes, sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

/** The same picture twice in one review is kept once. */
export function distinctPhotos(photos: readonly CheckedPhoto[]): CheckedPhoto[] {
  const seen = new Set<string>();
  return photos.filter((p) => !seen.has(p.sha256) && seen.add(p.sha256));
}

/** A photo whose file is written, waiting for its review's transaction. */
export interface StagedPhoto {
  id: string;
  storeId: string;
  contentType: PhotoType;
  width: number | null;
  height: number | null;
  bytes: number;
  sha256: string;
  file: string;
}

/** Where the photos' files live: `<data dir>/review-photos/<store>/<photo id>.<ext>`. */
export class PhotoFiles {
  constructor(private readonly dataDir: string) {}

  path(storeId: string, id: string, contentType: string): string {
    // Both come from Hearth itself; checked anyway, so neither can ever leave the directory.
    if (!/^[\w-]+$/.test(storeId) || !/^pho_[0-9a-f]{32}$/.test(id)) throw new Error(`Not a photo's store or id: ${storeId} ${id}`);
    return join(this.dataDir, 'review-photos', storeId, `${id}.${EXTENSIONS[contentType as PhotoType] ?? 'bin'}`);
  }

  /** Writes the files (each whole or not at all: written aside, then renamed). */
  async stage(storeId: string, photos: readonly CheckedPhoto[]): Promise<StagedPhoto[]> {
    const staged: StagedPhoto[] = [];
    try {
      for (const photo of photos) {
        const id = `pho_${randomBytes(16).toString('hex')}`;
        const file = this.path(storeId, id, photo.contentType);
        await mkdir(join(file, '..'), { recursive: true });
        await writeFile(`${file}.part`, photo.bytes);
        await rename(`${file}.part`, file);
        staged.push({ id, storeId, contentType: photo.contentType, width: photo.width, height: photo.height, bytes: photo.bytes.length, sha256: photo.sha256, file });
      }
    } catch (error) {
      await this.discard(staged);
      throw error;
    }
    return staged;
  }

  async discard(staged: readonly StagedPhoto[]): Promise<void> {
    await Promise.all(staged.map((photo) => rm(photo.file, { force: true })));
  }

  read(row: Pick<ReviewPhotoTable, 'store_id' | 'id' | 'content_type'>): Promise<Buffer> {
    return readFile(this.path(row.store_id, row.id, row.content_type));
  }
}

/** Adds the staged photos to a review (in its transaction), numbered from `first`. */
export async function insertPhotos(tx: ReviewsTx, reviewId: string, photos: readonly StagedPhoto[], now: Date, first = 0): Promise<void> {
  if (!photos.length) return;
  await tx.insertInto('review_photos').values(photos.map((p, i): ReviewPhotoTable => ({
    store_id: p.storeId, id: p.id, review_id: reviewId, position: first + i, content_type: p.contentType, bytes: p.bytes, width: p.width, height: p.height, sha256: p.sha256, created_at: now,
  }))).execute();
}

/** The photos of these reviews, in their order, by review id. */
export async function photosOf(db: ReviewsDb | ReviewsTx, storeId: string, reviewIds: readonly string[]): Promise<Map<string, ReviewPhotoTable[]>> {
  const byReview = new Map<string, ReviewPhotoTable[]>();
  for (let at = 0; at < reviewIds.length; at += 1000) {
    const rows = await db.selectFrom('review_photos').selectAll().where('store_id', '=', storeId).where('review_id', 'in', reviewIds.slice(at, at + 1000))
      .orderBy('review_id').orderBy('position').execute();
    for (const row of rows) byReview.set(row.review_id, [...(byReview.get(row.review_id) ?? []), row]);
  }
  return byReview;
}
