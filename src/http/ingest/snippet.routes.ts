/**
 * `GET /hearth.js`: the browser snippet a store pastes into its theme. The source is plain,
 * readable JavaScript (`src/snippet/hearth.js`); it is served gzipped to browsers that accept it.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { route } from '../route.js';

/** Next to the sources (tests, tsx) or, from `dist/http/ingest`, back in the source tree. */
function snippetFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', '..', 'snippet', 'hearth.js'), join(here, '..', '..', '..', 'src', 'snippet', 'hearth.js')];
  const found = candidates.find((file) => existsSync(file));
  if (!found) throw new Error(`The tracking snippet is missing (looked in ${candidates.join(', ')})`);
  return found;
}

let cached: { plain: Buffer; gzipped: Buffer; etag: string } | undefined;

export function snippetSource(): { plain: Buffer; gzipped: Buffer; etag: string } {
  if (!cached) {
    const plain = readFileSync(snippetFile());
    cached = { plain, gzipped: gzipSync(plain, { level: 9 }), etag: `"${createHash('sha256').update(plain).digest('hex').slice(0, 16)}"` };
  }
  return cached;
}

export const snippetRoutes = [
  route({
    method: 'GET', url: '/hearth.js', operationId: 'getTrackingSnippet', produces: ['application/javascript'], alsoStatus: [304], permission: 'public', tag: 'Tracking (Segment API)',
    summary: 'The browser tracking snippet (anonymous id cookie, page/track/identify, batching with retries)',
    handler: async ({ request, reply }) => {
      const source = snippetSource();
      reply.header('content-type', 'application/javascript; charset=utf-8');
      reply.header('cache-control', 'public, max-age=300');
      reply.header('etag', source.etag);
      reply.header('vary', 'Accept-Encoding');
      if (request.headers['if-none-match'] === source.etag) return reply.status(304).send();
      if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) {
        reply.header('content-encoding', 'gzip');
        return reply.send(source.gzipped);
      }
      return reply.send(source.plain);
    },
  }),
];
