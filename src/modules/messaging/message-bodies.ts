/**
 * A message's rendered bodies as the ledger keeps them: deflated (raw DEFLATE, RFC 1951, at
 * level 1). DuckDB stores strings of this size uncompressed — 533 MiB for 20,000 win-back emails
 * of 26 KB — and moved each one through its WAL, its buffer and its checkpoints; deflated, one is
 * about 4 KB. Compressing costs about 0.2 ms a message; inflating one before it is sent or shown,
 * a few hundredths of a millisecond. An email goes to the SMTP thread as it is stored, and is
 * inflated there into the octets it encodes (`inflatedOctets`): its HTML is never a string of the
 * main thread's heap while it is sent.
 */
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';

const OPTIONS = { level: constants.Z_BEST_SPEED };

export interface Bodies {
  html: string;
  text: string;
}

export interface PackedBodies {
  html: Uint8Array;
  text: Uint8Array;
}

/** Synchronous, one message at a time: each compression holds a quarter of a megabyte while it runs. */
export function packBodies(bodies: Bodies): PackedBodies {
  return { html: deflateRawSync(bodies.html, OPTIONS), text: deflateRawSync(bodies.text, OPTIONS) };
}

export function unpackBodies(packed: PackedBodies): Bodies {
  return { html: inflatedText(packed.html), text: inflatedText(packed.text) };
}

/** One packed body as text. */
export function inflatedText(bytes: Uint8Array): string {
  return inflateRawSync(bytes).toString('utf8');
}

/** A packed body's UTF-8 octets. */
export function inflatedOctets(bytes: Uint8Array): Buffer {
  return inflateRawSync(bytes);
}
