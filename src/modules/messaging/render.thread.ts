/**
 * Worker-thread entry of the render thread (`email-render.ts` starts it): renders each requested
 * email as the main thread would (`renderForLedger`) and posts back the deflated bodies. It keeps
 * the parse of the versions it has seen, the most recently used first.
 */
import { parentPort } from 'node:worker_threads';
import { renderForLedger, type RenderAnswer, type RenderedInThread, type RenderRequest } from './email-render.js';
import { parseCompiled, type CompiledEmail } from './template-render.js';

const port = parentPort;
if (!port) throw new Error('render.thread must run in a worker thread');
/** Versions kept parsed: a campaign or a flow step uses one or a few. */
const KEPT = 32;
const parsed = new Map<string, CompiledEmail>();

function version(request: RenderRequest, id: string): CompiledEmail {
  const known = parsed.get(id);
  if (known) {
    parsed.delete(id);
    parsed.set(id, known);
    return known;
  }
  const given = request.templates.find((t) => t.id === id);
  if (!given) throw new Error(`template version ${id} was not sent with the request`);
  const compiled = parseCompiled(id, given.sources, given.reads);
  parsed.set(id, compiled);
  if (parsed.size > KEPT) parsed.delete(parsed.keys().next().value!);
  return compiled;
}

port.on('message', (request: RenderRequest) => {
  const transfer: ArrayBuffer[] = [];
  // Bodies leave at their size, in buffers of their own, moved rather than copied.
  const own = (bytes: Uint8Array): Uint8Array => {
    const copy = new Uint8Array(bytes);
    transfer.push(copy.buffer);
    return copy;
  };
  const results = request.items.map((item): RenderedInThread => {
    try {
      // A key arrives as a Uint8Array; HMAC takes either.
      const tracking = item.tracking && { ...item.tracking, key: Buffer.from(item.tracking.key) };
      const email = renderForLedger({ compiled: version(request, item.template), variables: item.variables, tracking });
      return { ok: true, subject: email.subject, preheader: email.preheader, html: own(email.bodies.html), text: own(email.bodies.text) };
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  });
  port.postMessage({ id: request.id, results } satisfies RenderAnswer, transfer);
});
