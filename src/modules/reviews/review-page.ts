/**
 * The hosted review page (`/r/<token>`): one section per product of the order (stars, a title, the
 * text, up to three photos), works without JavaScript, fits a phone. Everything shown is escaped.
 * The form is multipart, so the photos travel with the review they belong to.
 */
import { escapeHtml } from '../messaging/index.js';
import { MAX_PHOTO_BYTES, MAX_PHOTOS, PHOTO_TYPES } from './review-photos.js';
import { MAX_BODY, MAX_TITLE } from './review.input.js';

export interface PageProduct {
  id: string;
  title: string;
  /** Already reviewed through this link: shown, not asked again. */
  review: { rating: number; title: string | null; body: string; photos: number } | null;
}

export interface PageValues {
  rating?: string;
  title?: string;
  body?: string;
}

const style = `*{box-sizing:border-box}body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f6f5f2;color:#222;margin:0;padding:16px}
main{max-width:560px;margin:24px auto;background:#fff;border-radius:8px;padding:20px;box-shadow:0 1px 3px rgba(0,0,0,.1)}
h1{font-size:1.3rem;margin:0 0 8px}h2{font-size:1.05rem;margin:0 0 8px}p{line-height:1.5}
section{border-top:1px solid #e5e2dc;padding:16px 0}label{display:block;margin:10px 0 4px;font-weight:600}
input[type=file]{width:100%;padding:10px;font-size:1rem;border:1px dashed #bbb;border-radius:6px;background:#faf9f7}
input[type=text],textarea{width:100%;padding:10px;font-size:1rem;border:1px solid #bbb;border-radius:6px;font-family:inherit}textarea{min-height:120px}
.stars{display:inline-flex;flex-direction:row-reverse;gap:2px}.stars input{position:absolute;opacity:0;width:1px;height:1px}
.stars label{font-size:2.2rem;line-height:1;color:#ccc;cursor:pointer;margin:0;padding:0 2px}
.stars input:checked~label,.stars label:hover,.stars label:hover~label{color:#e0a100}.stars input:focus-visible+label{outline:2px solid #2f5d50}
button{display:block;width:100%;margin:16px 0 0;padding:14px;font-size:1.05rem;border-radius:6px;border:0;background:#2f5d50;color:#fff;cursor:pointer}
.error{background:#fdecea;color:#8a1c12;padding:10px 12px;border-radius:6px}.note{background:#eef6ee;padding:10px 12px;border-radius:6px}
.done{color:#555}.verified{color:#2f5d50;font-size:.9rem}`;

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${style}</style></head><body><main>${body}</main></body></html>`;
}

const starWord = (n: number) => `${n} star${n === 1 ? '' : 's'}`;

function stars(index: number, chosen: string | undefined): string {
  let html = '';
  // Listed 5 → 1 and shown reversed, so the CSS can light a star and those before it.
  for (let n = 5; n >= 1; n -= 1) {
    const id = `r${index}-${n}`;
    html += `<input type="radio" id="${id}" name="rating_${index}" value="${n}"${chosen === String(n) ? ' checked' : ''}><label for="${id}" title="${starWord(n)}" aria-label="${starWord(n)}">★</label>`;
  }
  return `<div class="stars" role="radiogroup" aria-label="Rating">${html}</div>`;
}

function productSection(product: PageProduct, index: number, values: PageValues): string {
  const name = escapeHtml(product.title);
  if (product.review) {
    return `<section><h2>${name}</h2><p class="done">You gave it ${starWord(product.review.rating)}${product.review.title ? `: <strong>${escapeHtml(product.review.title)}</strong>` : ''}.</p>
${product.review.body ? `<p class="done">${escapeHtml(product.review.body)}</p>` : ''}${product.review.photos ? `<p class="done">With ${product.review.photos} photo${product.review.photos === 1 ? '' : 's'}.</p>` : ''}</section>`;
  }
  return `<section><h2>${name}</h2>${stars(index, values.rating)}
<label for="t${index}">Title <small>(optional)</small></label><input type="text" id="t${index}" name="title_${index}" maxlength="${MAX_TITLE}" value="${escapeHtml(values.title ?? '')}">
<label for="b${index}">Your review</label><textarea id="b${index}" name="body_${index}" maxlength="${MAX_BODY}">${escapeHtml(values.body ?? '')}</textarea>
<label for="p${index}">Photos <small>(optional: up to ${MAX_PHOTOS}, JPEG, PNG or WebP, ${MAX_PHOTO_BYTES / 1024 / 1024} MB each)</small></label><input type="file" id="p${index}" name="photos_${index}" accept="${PHOTO_TYPES.join(',')}" multiple></section>`;
}

export function reviewFormPage(storeName: string, products: readonly PageProduct[], options: { values?: readonly PageValues[]; errors?: readonly string[] } = {}): string {
  const open = products.some((p) => !p.review);
  const errors = options.errors?.length ? `<div class="error" role="alert"><ul>${options.errors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul></div>` : '';
  const sections = products.map((p, i) => productSection(p, i, options.values?.[i] ?? {})).join('');
  const form = open ? `<form method="post" enctype="multipart/form-data">${sections}<button type="submit">Send my review</button></form>` : `${sections}<p class="note">Thank you: you have reviewed everything in this order.</p>`;
  return layout(`Review your order — ${storeName}`, `<h1>How was your order from ${escapeHtml(storeName)}?</h1>
<p class="verified">Reviews sent from this page are marked “verified buyer”.</p>${errors}${form}`);
}

/** `published`: all shown at once (true), some waiting for the store (false), or sent before (null). */
export function reviewThanksPage(storeName: string, published: boolean | null): string {
  const after = published === null ? '' : published ? ' and published' : '; it will appear once the store has read it';
  return layout(`Thank you — ${storeName}`, `<h1>Thank you!</h1><p class="note">Your review of your order from ${escapeHtml(storeName)} is saved${after}.</p>`);
}

export function reviewLinkProblemPage(message: string): string {
  return layout('Review link', `<h1>This review link cannot be used</h1><p class="error">${escapeHtml(message)}</p>`);
}
