/**
 * The hosted preference page behind a message's unsubscribe link: plain HTML with forms that post
 * back to the same signed URL, so it works without JavaScript; everything from outside is escaped.
 */
import type { Recipient } from './unsubscribe.service.js';
import { PAUSE_DAYS } from './unsubscribe.service.js';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const style = `body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f6f5f2;color:#222;margin:0;padding:24px}
main{max-width:480px;margin:40px auto;background:#fff;border-radius:8px;padding:28px;box-shadow:0 1px 3px rgba(0,0,0,.1)}
h1{font-size:1.3rem;margin:0 0 12px}p{line-height:1.5}.who{color:#555;word-break:break-all}
button{display:block;width:100%;margin:12px 0 0;padding:12px;font-size:1rem;border-radius:6px;border:1px solid #999;background:#fff;cursor:pointer}
button.primary{background:#b4432a;color:#fff;border-color:#b4432a}.note{background:#eef6ee;padding:10px 12px;border-radius:6px}
fieldset{border:1px solid #ddd;border-radius:6px;margin:16px 0 0;padding:8px 14px 14px}legend{font-weight:600;padding:0 4px}
label.topic{display:flex;gap:10px;align-items:flex-start;padding:8px 0;cursor:pointer}label.topic input{width:20px;height:20px;margin:2px 0 0;flex:none}
label.topic small{display:block;color:#666}.or{color:#666;margin:20px 0 0;font-size:.9rem}`;

/** The topics with a checkbox each; the unchecked ones among `shown` are dropped when posted. */
function topicsForm(recipient: Recipient): string {
  if (recipient.topics.length === 0) return '';
  const current = recipient.topics.find((t) => t.id === recipient.messageTopic);
  const about = current ? `<p>This message was about <strong>${escapeHtml(current.name)}</strong>.</p>` : '';
  const boxes = recipient.topics.map((t) => `<label class="topic"><input type="checkbox" name="topic" value="${escapeHtml(t.id)}"${t.subscribed ? ' checked' : ''}>`
    + `<span>${escapeHtml(t.name)}${t.description ? `<small>${escapeHtml(t.description)}</small>` : ''}</span></label><input type="hidden" name="shown" value="${escapeHtml(t.id)}">`).join('');
  return `${about}<form method="post"><input type="hidden" name="action" value="topics"><fieldset><legend>Email I want to receive</legend>${boxes}</fieldset>
<button type="submit">Save my choices</button></form><p class="or">Or stop marketing email altogether:</p>`;
}

export function preferencePage(recipient: Recipient, notice?: string): string {
  const store = escapeHtml(recipient.storeName);
  const who = recipient.claims.address ? `<p class="who">${escapeHtml(recipient.claims.address)}</p>` : '';
  let body: string;
  if (recipient.status.kind === 'unsubscribed') {
    body = `<p>You are unsubscribed: ${store} will not send you marketing email. Messages about your orders still arrive.</p>`;
  } else {
    const paused = recipient.status.kind === 'paused'
      ? `<p>Marketing email is paused until ${escapeHtml(recipient.status.until.toISOString().slice(0, 10))}.</p>` : '';
    body = `${paused}<p>Choose what ${store} may send you.</p>${topicsForm(recipient)}
<form method="post"><input type="hidden" name="action" value="pause"><button type="submit">Pause marketing email for ${PAUSE_DAYS} days</button></form>
<form method="post"><input type="hidden" name="action" value="unsubscribe"><button class="primary" type="submit">Unsubscribe from all marketing email</button></form>`;
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>Email preferences — ${store}</title><style>${style}</style></head>
<body><main><h1>Email preferences</h1>${who}${notice ? `<p class="note" role="status">${escapeHtml(notice)}</p>` : ''}${body}</main></body></html>`;
}

/** The answer to a bad or forged link: no detail about why. */
export function invalidLinkPage(message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Link not valid</title><style>${style}</style></head>
<body><main><h1>Link not valid</h1><p>${escapeHtml(message)}</p></main></body></html>`;
}
