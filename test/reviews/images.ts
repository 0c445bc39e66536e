/**
 * Small, valid images built byte by byte for the photo tests: a PNG of one colour (PNG 1.2:
 * signature, IHDR, one zlib IDAT of filter-0 rows, IEND, each chunk with its CRC-32) and a
 * baseline JPEG of one 8×8 grey block (JPEG T.81: one DC-only block coded with one-code Huffman
 * tables). Kept apart from the product's code so the tests do not check it against itself.
 */
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export function png(width: number, height: number, [r, g, b]: readonly [number, number, number]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => [r, g, b]).flat())]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(pixels)), chunk('IEND', Buffer.alloc(0))]);
}

/** An 8×8 mid-grey baseline JPEG (every coefficient zero: the level shift makes it 128). */
export function jpeg(): Buffer {
  const segment = (marker: number, data: number[]) => [0xff, marker, (data.length + 2) >> 8, (data.length + 2) & 0xff, ...data];
  return Buffer.from([
    0xff, 0xd8,
    ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    ...segment(0xdb, [0x00, ...Array<number>(64).fill(1)]),
    ...segment(0xc0, [8, 0, 8, 0, 8, 1, 1, 0x11, 0]),
    // DC table 0 and AC table 0: one code of one bit each, for category 0 and for end-of-block.
    ...segment(0xc4, [0x00, 1, ...Array<number>(15).fill(0), 0x00]),
    ...segment(0xc4, [0x10, 1, ...Array<number>(15).fill(0), 0x00]),
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
    // DC "0" (no difference), AC "0" (end of block), padded with ones.
    0x3f,
    0xff, 0xd9,
  ]);
}

/** A multipart/form-data body of text fields and files, as a browser sends it. */
export function multipart(parts: readonly ({ name: string; value: string } | { name: string; filename: string; type: string; data: Buffer })[]): { body: Buffer; contentType: string } {
  const boundary = '----hearth-test-boundary-7d1f';
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const head = 'data' in part
      ? `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.type}\r\n\r\n`
      : `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n`;
    chunks.push(Buffer.from(head), 'data' in part ? part.data : Buffer.from(part.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * A TIFF structure as a camera writes it in Exif (little-endian, "II"): IFD0 with the camera's
 * make, the owner's name, the orientation when given and a pointer to a GPS IFD with latitude and
 * longitude (Exif 2.32, 4.6.2–4.6.6). Values over four bytes follow each IFD.
 */
export function exifTiff(options: { orientation?: number; make?: string; artist?: string; latitude?: readonly [number, number, number] }): Buffer {
  type Entry = { tag: number; type: number; count: number; data: Buffer };
  const ascii = (tag: number, text: string): Entry => ({ tag, type: 2, count: text.length + 1, data: Buffer.from(`${text}\0`, 'latin1') });
  const rationals = (tag: number, values: readonly number[]): Entry => {
    const data = Buffer.alloc(values.length * 8);
    values.forEach((v, i) => { data.writeUInt32LE(v, i * 8); data.writeUInt32LE(1, i * 8 + 4); });
    return { tag, type: 5, count: values.length, data };
  };
  const u16 = (tag: number, value: number): Entry => ({ tag, type: 3, count: 1, data: Buffer.from([value & 0xff, value >> 8, 0, 0]) });
  const u32 = (tag: number, value: number): Entry => { const data = Buffer.alloc(4); data.writeUInt32LE(value); return { tag, type: 4, count: 1, data }; };
  const size = (entries: readonly Entry[]) => 2 + entries.length * 12 + 4 + entries.reduce((s, e) => s + (e.data.length > 4 ? e.data.length + (e.data.length % 2) : 0), 0);
  const ifd = (entries: readonly Entry[], start: number): Buffer => {
    const head = Buffer.alloc(2 + entries.length * 12 + 4);
    head.writeUInt16LE(entries.length, 0);
    const extra: Buffer[] = [];
    let offset = start + head.length;
    entries.forEach((e, i) => {
      const at = 2 + i * 12;
      head.writeUInt16LE(e.tag, at);
      head.writeUInt16LE(e.type, at + 2);
      head.writeUInt32LE(e.count, at + 4);
      if (e.data.length <= 4) e.data.copy(head, at + 8);
      else {
        head.writeUInt32LE(offset, at + 8);
        const padded = Buffer.concat([e.data, Buffer.alloc(e.data.length % 2)]);
        extra.push(padded);
        offset += padded.length;
      }
    });
    return Buffer.concat([head, ...extra]);
  };
  const gps = options.latitude ? [ascii(0x0001, 'N'), rationals(0x0002, options.latitude), ascii(0x0003, 'W'), rationals(0x0004, [0, 7, 39])] : [];
  const ifd0: Entry[] = [
    ...(options.make ? [ascii(0x010f, options.make)] : []),
    ...(options.orientation ? [u16(0x0112, options.orientation)] : []),
    ...(options.artist ? [ascii(0x013b, options.artist)] : []),
  ];
  const withGps = gps.length ? [...ifd0, u32(0x8825, 8 + size([...ifd0, u32(0x8825, 0)]))] : ifd0;
  const first = ifd(withGps, 8);
  return Buffer.concat([Buffer.from('II*\0\x08\0\0\0', 'latin1'), first, gps.length ? ifd(gps, 8 + first.length) : Buffer.alloc(0)]);
}

/** The tags of a TIFF structure's IFD0 (either byte order) with their first value, read apart from the product's reader. */
export function ifd0Tags(tiff: Buffer): Map<number, number> {
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const start = u32(4);
  const tags = new Map<number, number>();
  for (let i = 0; i < u16(start); i += 1) tags.set(u16(start + 2 + i * 12), u16(start + 2 + i * 12 + 8));
  return tags;
}

/** A JPEG segment: marker, big-endian length (itself included), data. */
export function jpegSegment(marker: number, data: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(data.length + 2, 2);
  return Buffer.concat([head, data]);
}

/** The JPEG with these segments put right after its SOI, and `trailer` after its EOI (as a "motion photo" appends its video). */
export function jpegWith(base: Buffer, segments: readonly Buffer[], trailer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([base.subarray(0, 2), ...segments, base.subarray(2), trailer]);
}

/** The markers of a JPEG's segments up to and including its first SOS. */
export function jpegMarkers(bytes: Buffer): { markers: number[]; segments: Map<number, Buffer[]>; scan: number } {
  const markers: number[] = [];
  const segments = new Map<number, Buffer[]>();
  let at = 2;
  for (;;) {
    const marker = bytes[at + 1]!;
    const length = bytes.readUInt16BE(at + 2);
    markers.push(marker);
    segments.set(marker, [...(segments.get(marker) ?? []), bytes.subarray(at + 4, at + 2 + length)]);
    at += 2 + length;
    if (marker === 0xda) return { markers, segments, scan: at };
  }
}

/** A PNG with extra chunks put after IHDR (`before`) and after the IDAT (`after`), and `trailer` after IEND. */
export function pngWith(base: Buffer, before: readonly [string, Buffer][], after: readonly [string, Buffer][] = [], trailer = Buffer.alloc(0)): Buffer {
  const ihdrEnd = 8 + 25;
  const iend = base.length - 12;
  return Buffer.concat([base.subarray(0, ihdrEnd), ...before.map(([t, d]) => chunk(t, d)), base.subarray(ihdrEnd, iend), ...after.map(([t, d]) => chunk(t, d)), base.subarray(iend), trailer]);
}

/** The chunks of a PNG, by type, in order. */
export function pngChunks(bytes: Buffer): { type: string; data: Buffer }[] {
  const chunks: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < bytes.length;) {
    const length = bytes.readUInt32BE(at);
    chunks.push({ type: bytes.toString('latin1', at + 4, at + 8), data: bytes.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return chunks;
}

function riffChunk(fourcc: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(fourcc, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data, Buffer.alloc(data.length % 2)]);
}

/**
 * An extended WebP (RFC 9649, 2.7) of a WebP's image: VP8X with the canvas size and the flags of
 * the chunks it holds (ICC profile, EXIF, XMP), the WebP's chunks but VP8X, taken whole, then
 * EXIF and XMP chunks; `trailer` after the RIFF.
 */
export function webpExtended(source: Buffer, width: number, height: number, metadata: { exif?: Buffer; xmp?: Buffer } = {}, trailer = Buffer.alloc(0)): Buffer {
  const kept = riffChunks(source).filter((c) => c.fourcc !== 'VP8X');
  const vp8x = Buffer.alloc(10);
  vp8x[0] = (kept.some((c) => c.fourcc === 'ICCP') ? 0x20 : 0) | (metadata.exif ? 0x08 : 0) | (metadata.xmp ? 0x04 : 0);
  vp8x.writeUIntLE(width - 1, 4, 3);
  vp8x.writeUIntLE(height - 1, 7, 3);
  const chunks = [riffChunk('VP8X', vp8x), ...kept.map((c) => riffChunk(c.fourcc, c.data)),
    ...(metadata.exif ? [riffChunk('EXIF', metadata.exif)] : []), ...(metadata.xmp ? [riffChunk('XMP ', metadata.xmp)] : [])];
  const head = Buffer.alloc(12);
  head.write('RIFFxxxxWEBP', 0, 'latin1');
  head.writeUInt32LE(4 + chunks.reduce((s, c) => s + c.length, 0), 4);
  return Buffer.concat([head, ...chunks, trailer]);
}

/** A WebP's chunks after its header: fourcc and data. */
export function riffChunks(bytes: Buffer): { fourcc: string; data: Buffer }[] {
  const chunks: { fourcc: string; data: Buffer }[] = [];
  for (let at = 12; at < 8 + bytes.readUInt32LE(4);) {
    const size = bytes.readUInt32LE(at + 4);
    chunks.push({ fourcc: bytes.toString('latin1', at, at + 4), data: bytes.subarray(at + 8, at + 8 + size) });
    at += 8 + size + (size % 2);
  }
  return chunks;
}
