/**
 * Which web pages may send tracked events with a store's (public) write key: a list of origins
 * such as `https://shop.example`, where `https://*.shop.example` also admits every subdomain.
 * No list means any origin, the default — the key can only add tracking data.
 */

/** Why `origin` cannot be listed, or undefined when it can. */
export function originProblem(origin: string): string | undefined {
  const wildcard = origin.includes('://*.');
  let url: URL;
  try {
    url = new URL(wildcard ? origin.replace('://*.', '://wildcard.') : origin);
  } catch {
    return 'must be an origin such as https://shop.example';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must start with https:// or http://';
  const expected = wildcard ? url.origin.replace('://wildcard.', '://*.') : url.origin;
  if (expected !== origin) return `must be only scheme, host and port (${expected}), without a path or a trailing slash`;
  return undefined;
}

/** Whether a request's `Origin` header is admitted by the stored list (JSON text; null: any). */
export function originAllowed(listed: string | null, origin: string): boolean {
  if (listed === null) return true;
  const origins = JSON.parse(listed) as string[];
  return origins.some((allowed) => {
    if (allowed === origin) return true;
    const star = allowed.indexOf('://*.');
    if (star < 0) return false;
    const scheme = allowed.slice(0, star + 3);
    const suffix = allowed.slice(star + 4); // ".shop.example[:port]"
    return origin.startsWith(scheme) && origin.endsWith(suffix) && origin.length > scheme.length + suffix.length && !origin.slice(scheme.length, -suffix.length).includes('/');
  });
}
