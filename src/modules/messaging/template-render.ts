/**
 * Compile once, render per recipient. MJML → HTML is slow (milliseconds), Liquid rendering fast
 * (tens of microseconds), so a template version is compiled once with its Liquid protected, and each
 * recipient's message is a Liquid render of that HTML.
 *
 * Protection: every Liquid tag and output in the MJML body is replaced by a plain placeholder before
 * MJML sees it, so MJML cannot drop, escape or validate it away (a `{{ }}` in a colour or an href, a
 * `{% for %}` between sections). A tag that stands between MJML elements (not in an element's
 * content, not in an attribute) is wrapped in `<mj-raw>` so MJML keeps it in place. After the
 * compile the placeholders are put back and the HTML is parsed as one Liquid template.
 *
 * Output is HTML-escaped by default (`outputEscape: 'escape'`); `| raw` is the escape hatch for
 * trusted blocks. Validation renders strictly (an unknown variable is named, with its line and
 * column); a send renders leniently (a missing value is empty).
 */
import { randomUUID } from 'node:crypto';
import { Liquid, type Template } from 'liquidjs';
import type { ErrorDetail } from '../../lib/errors.js';
import { registerFilters } from './liquid-filters.js';
import type { MessageVariables } from './message-context.js';
import { unknownVariable } from './message-context.js';
import type { MessagePurpose, RenderedEmail } from './message.types.js';
import { htmlToText } from './template-text.js';

/** MJML and what it brings (an HTML parser, a CSS inliner) take most of a second to load: loaded at the first compile, not by every command that imports this file. */
let mjml: Promise<typeof import('mjml')> | undefined;
const loadMjml = () => (mjml ??= import('mjml').then((module) => module.default as unknown as typeof import('mjml')));

/** The editable parts of a template version. */
export interface TemplateSource {
  subject: string;
  preheader: string;
  /** MJML with Liquid. */
  body: string;
  purpose: MessagePurpose;
}

/** The Liquid of each part of a compiled version: what a render thread parses into its own `CompiledEmail`. */
export interface CompiledSources {
  subject: string;
  preheader: string;
  /** The HTML up to `<body…>`, and the rest: the hidden preheader goes between them. */
  htmlHead: string;
  htmlBody: string;
}

/** A template version ready to render: parsed Liquid for each part and the compiled HTML. */
export interface CompiledEmail extends LiquidReads {
  /** Unique to this compile: a render thread keeps its parse under this id. */
  id: string;
  subject: Template[];
  preheader: Template[];
  htmlHead: Template[];
  htmlBody: Template[];
  sources: CompiledSources;
  compileMs: number;
}

/** A template problem: which part, where (1-based line and column) and why. */
export interface TemplateProblem extends ErrorDetail {
  path: 'subject' | 'preheader' | 'body';
  line?: number;
  column?: number;
}

/** What a Liquid text reads. */
export interface LiquidReads {
  /** Whether it reads `recommendations`: only then does a render look up the recipient's. */
  usesRecommendations: boolean;
  /** Whether it reads `loyalty`: only then does a flow look up the recipient's points. */
  usesLoyalty: boolean;
  /** Whether it reads `order`, `checkout` or `fulfillment`: only then does a flow load what started the run. */
  usesOrderContext: boolean;
}

/** A plain Liquid text (an SMS body) ready to render per recipient. */
export interface CompiledText extends LiquidReads {
  text: Template[];
}

/** A problem of a plain Liquid text: where (1-based line and column) and why; `path` is `text`. */
export type TextProblem = ErrorDetail & { path: 'text' };

export type CompileResult = { ok: true; compiled: CompiledEmail } | { ok: false; problems: TemplateProblem[] };

const engine = new Liquid({ outputEscape: 'escape', strictFilters: true, ownPropertyOnly: true, jsTruthy: false });
registerFilters(engine);

/**
 * MJML elements whose content MJML keeps as HTML (its "ending tags"): Liquid inside them survives
 * as text, so only the Liquid between other elements needs `<mj-raw>`.
 */
const endingTags = new Set([
  'mj-text', 'mj-button', 'mj-raw', 'mj-table', 'mj-navbar-link', 'mj-accordion-title', 'mj-accordion-text',
  'mj-social-element', 'mj-title', 'mj-preview', 'mj-style', 'mj-carousel-image',
]);

const liquidPattern = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
const placeholder = (i: number): string => `hearthlq${i}x`;
const placeholderPattern = /hearthlq(\d+)x/g;

interface Protected {
  source: string;
  liquid: string[];
  problems: TemplateProblem[];
}

/** Position (1-based line and column) of an offset in a text. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Replaces Liquid with placeholders and checks that MJML elements are closed in order (MJML's own
 * parser accepts an unclosed element silently).
 */
function protect(body: string): Protected {
  const liquid: string[] = [];
  const problems: TemplateProblem[] = [];
  // First pass: placeholders, keeping the original offsets of each.
  let replaced = '';
  const origins: { at: number; delta: number }[] = [];
  let last = 0;
  for (const match of body.matchAll(liquidPattern)) {
    replaced += body.slice(last, match.index);
    const stand = placeholder(liquid.length);
    origins.push({ at: replaced.length, delta: match[0].length - stand.length });
    replaced += stand;
    liquid.push(match[0]);
    last = match.index + match[0].length;
  }
  replaced += body.slice(last);
  const originalOffset = (offset: number): number => {
    let shift = 0;
    for (const origin of origins) {
      if (origin.at >= offset) break;
      shift += origin.delta;
    }
    return offset + shift;
  };

  // Second pass: wrap placeholders that stand between elements in <mj-raw>; check nesting.
  const tagOrText = /<!--[\s\S]*?-->|<(\/?)(mj-[a-z-]+|mjml)\b((?:[^>"']|"[^"]*"|'[^']*')*)>|hearthlq\d+x/g;
  const open: { name: string; at: number }[] = [];
  let ending = 0;
  let source = '';
  last = 0;
  for (const match of replaced.matchAll(tagOrText)) {
    source += replaced.slice(last, match.index);
    last = match.index + match[0].length;
    const token = match[0];
    if (token.startsWith('hearthlq')) {
      if (ending === 0 && open.length > 0) {
        source += `<mj-raw>${token}</mj-raw>`;
      } else source += token;
      continue;
    }
    source += token;
    const name = match[2];
    if (!name) continue;
    const selfClosing = (match[3] ?? '').trim().endsWith('/');
    if (match[1] === '/') {
      const depth = open.map((o) => o.name).lastIndexOf(name);
      if (depth === -1) {
        problems.push({ path: 'body', ...positionOf(body, originalOffset(match.index)), reason: `</${name}> has no opening tag` });
        continue;
      }
      // Elements opened after the one this closes were never closed: each is named once.
      for (const unclosed of open.splice(depth + 1)) {
        problems.push({ path: 'body', ...positionOf(body, originalOffset(unclosed.at)), reason: `<${unclosed.name}> is never closed` });
        if (endingTags.has(unclosed.name)) ending -= 1;
      }
      open.pop();
      if (endingTags.has(name)) ending -= 1;
    } else if (!selfClosing) {
      open.push({ name, at: match.index });
      if (endingTags.has(name)) ending += 1;
    }
  }
  source += replaced.slice(last);
  for (const unclosed of open) {
    problems.push({ path: 'body', ...positionOf(body, originalOffset(unclosed.at)), reason: `<${unclosed.name}> is never closed` });
  }
  if (!/<mjml[\s>]/.test(replaced)) problems.push({ path: 'body', line: 1, column: 1, reason: 'the body must be an MJML document starting with <mjml>' });
  return { source, liquid, problems };
}

/** Liquid parse errors end with ", line:2, col:5"; the reason is the part before. */
function liquidProblem<P extends string>(path: P, error: unknown): ErrorDetail & { path: P } {
  const err = error as { message?: string; token?: { getPosition?: () => [number, number] } };
  const position = err.token?.getPosition?.();
  const reason = (err.message ?? String(error)).replace(/,? ?line:\d+, col:\d+\s*$/, '');
  return { path, ...(position && { line: position[0], column: position[1] }), reason };
}

function parseLiquid<P extends string>(path: P, text: string, problems: (ErrorDetail & { path: P })[]): Template[] | undefined {
  try {
    return engine.parse(text);
  } catch (error) {
    problems.push(liquidProblem(path, error));
    return undefined;
  }
}

/**
 * Loop variables and the list each walks (`{% for item in order.line_items %}` → item: order.line_items),
 * so fields read from an item are checked too. A name looped over two different lists is left unchecked.
 */
function loopAliases(text: string): Map<string, (string | number)[] | null> {
  const aliases = new Map<string, (string | number)[] | null>();
  for (const match of text.matchAll(/\{%-?\s*for\s+([A-Za-z_][\w-]*)\s+in\s+([A-Za-z_][\w.-]*)/g)) {
    const [, alias, source] = match as unknown as [string, string, string];
    const path = source.split('.');
    const known = aliases.get(alias);
    aliases.set(alias, known === undefined || (known && known.join('.') === path.join('.')) ? path : null);
  }
  return aliases;
}

/** Names every variable that is not in the documented tree, with where it is read. */
function checkVariables<P extends string>(path: P, text: string, templates: Template[], problems: (ErrorDetail & { path: P })[]): void {
  const analysis = engine.analyzeSync(templates);
  const aliases = loopAliases(text);
  for (const [root, variables] of Object.entries(analysis.variables)) {
    const global = Object.hasOwn(analysis.globals, root);
    const loop = aliases.get(root);
    if (!global && !loop) continue; // assigned in the template, or forloop: not part of the tree
    for (const variable of variables) {
      const segments = variable.segments.filter((s): s is string | number => typeof s !== 'object');
      const checked = global ? segments : [...loop!, 'first', ...segments.slice(1)];
      const unknown = unknownVariable(checked);
      if (!unknown) continue;
      const name = global ? unknown : [root, ...unknown.split('.').slice(loop!.length + 1)].join('.');
      problems.push({ path, line: variable.location.row, column: variable.location.col, reason: `unknown variable "${name}"` });
    }
  }
}

const preheaderBlock = (text: string): string =>
  `<div style="display:none;font-size:1px;color:#ffffff;line-height:1px;max-height:0px;max-width:0px;opacity:0;overflow:hidden;mso-hide:all;">${text}${'&#847;&zwnj;&nbsp;'.repeat(40)}</div>`;

/**
 * Compiles a template version: Liquid syntax of each part, variables against the documented tree,
 * MJML (with Liquid protected), and for marketing mail the legal footer (unsubscribe link, and the
 * store's address when it has one).
 */
export async function compileTemplate(source: TemplateSource, options: { storeHasAddress?: boolean } = {}): Promise<CompileResult> {
  const started = performance.now();
  const problems: TemplateProblem[] = [];
  if (!source.subject.trim()) problems.push({ path: 'subject', reason: 'must not be empty' });
  if (/[\r\n]/.test(source.subject)) problems.push({ path: 'subject', reason: 'must be one line' });
  const subject = parseLiquid('subject', source.subject, problems);
  const preheader = parseLiquid('preheader', source.preheader, problems);
  const bodyLiquid = parseLiquid('body', source.body, problems);
  if (subject) checkVariables('subject', source.subject, subject, problems);
  if (preheader) checkVariables('preheader', source.preheader, preheader, problems);
  if (bodyLiquid) checkVariables('body', source.body, bodyLiquid, problems);

  const guarded = protect(source.body);
  problems.push(...guarded.problems);
  if (source.purpose === 'marketing') {
    if (!/\blinks\.unsubscribe_url\b/.test(source.body)) {
      problems.push({ path: 'body', reason: 'marketing email must link to {{ links.unsubscribe_url }} (the legal footer)' });
    }
    if (options.storeHasAddress && !/\bstore\.address\b/.test(source.body)) {
      problems.push({ path: 'body', reason: 'marketing email must show the store address ({{ store.address }}) in its footer' });
    }
  }
  if (problems.some((p) => p.path === 'body')) return { ok: false, problems };

  const result = await (await loadMjml())(guarded.source, { validationLevel: 'soft', keepComments: false });
  for (const error of result.errors) {
    // A placeholder is not a colour or a size; MJML's type checks of attributes set by Liquid are skipped.
    if (/hearthlq\d+x/.test(error.message)) continue;
    const line = originalLine(guarded, error.line);
    const column = columnOfTag(source.body, line, error.tagName);
    problems.push({ path: 'body', line, ...(column && { column }), reason: error.message.trim() });
  }
  if (problems.length || !subject || !preheader) return { ok: false, problems };

  const html = result.html.replace(placeholderPattern, (_, i: string) => guarded.liquid[Number(i)] ?? '');
  const bodyTag = /<body[^>]*>/.exec(html);
  const split = bodyTag ? bodyTag.index + bodyTag[0].length : 0;
  const sources = { subject: source.subject, preheader: source.preheader, htmlHead: html.slice(0, split), htmlBody: html.slice(split) };
  let parsed: CompiledEmail;
  try {
    parsed = parseCompiled(randomUUID(), sources, readsOf(`${source.subject}\n${source.preheader}\n${source.body}`));
  } catch (error) {
    return { ok: false, problems: [liquidProblem('body', error)] };
  }
  return { ok: true, compiled: { ...parsed, compileMs: performance.now() - started } };
}

/** A compiled version from its Liquid sources (MJML already done): what a render thread does with a version it has not seen. */
export function parseCompiled(id: string, sources: CompiledSources, reads: LiquidReads): CompiledEmail {
  return {
    id, sources, compileMs: 0, ...reads,
    subject: engine.parse(sources.subject), preheader: engine.parse(sources.preheader),
    htmlHead: engine.parse(sources.htmlHead), htmlBody: engine.parse(sources.htmlBody),
  };
}

function readsOf(text: string): LiquidReads {
  const reads = (pattern: RegExp) => pattern.test(text);
  return { usesRecommendations: reads(/\brecommendations\b/), usesLoyalty: reads(/\bloyalty\b/), usesOrderContext: reads(/\b(order|checkout|fulfillment)\b/) };
}

/** Compiles a plain Liquid text (an SMS body): its syntax, and its variables against the documented tree. */
export function compileText(text: string): { ok: true; compiled: CompiledText } | { ok: false; problems: TextProblem[] } {
  const problems: TextProblem[] = [];
  if (!text.trim()) problems.push({ path: 'text', reason: 'must not be empty' });
  const parsed = parseLiquid('text', text, problems);
  if (parsed) checkVariables('text', text, parsed, problems);
  if (problems.length || !parsed) return { ok: false, problems };
  return { ok: true, compiled: { text: parsed, ...readsOf(text) } };
}

/** MJML counts lines in the protected source; placeholders and `<mj-raw>` wrappers add none, but a Liquid tag may span several. */
function originalLine(guarded: Protected, line: number): number {
  let offset = 0;
  for (let n = 1; n < line; n += 1) {
    const next = guarded.source.indexOf('\n', offset);
    if (next === -1) break;
    offset = next + 1;
  }
  let hidden = 0;
  for (const match of guarded.source.slice(0, offset).matchAll(placeholderPattern)) {
    hidden += (guarded.liquid[Number(match[1])] ?? '').split('\n').length - 1;
  }
  return line + hidden;
}

function columnOfTag(body: string, line: number, tagName: string | undefined): number | undefined {
  if (!tagName) return undefined;
  const text = body.split('\n')[line - 1] ?? '';
  const at = text.indexOf(`<${tagName}`);
  return at === -1 ? undefined : at + 1;
}

export interface RenderOptions {
  /** Validation: an undefined variable is an error. A send is lenient (empty). */
  strict?: boolean;
}

/** Renders one recipient's message from a compiled version: subject, preheader, HTML and its text part. */
export function renderEmail(compiled: CompiledEmail, variables: MessageVariables, options: RenderOptions = {}): RenderedEmail {
  const scope = variables as unknown as Record<string, unknown>;
  const renderOptions = { strictVariables: options.strict ?? false };
  // The subject and preheader are headers and hidden text, not HTML: rendered unescaped, then cleaned.
  const subject = engine.renderSync(compiled.subject, scope, renderOptions);
  const preheader = engine.renderSync(compiled.preheader, scope, renderOptions);
  const head = engine.renderSync(compiled.htmlHead, scope, renderOptions) as string;
  const body = engine.renderSync(compiled.htmlBody, scope, renderOptions) as string;
  const html = `${head}${preheader ? preheaderBlock(preheader as string) : ''}${body}`;
  return {
    subject: decodeText(subject as string),
    preheader: decodeText(preheader as string),
    html,
    text: htmlToText(body),
  };
}

/** Renders one recipient's plain text (lenient: a missing value is empty). Output was escaped like HTML: it is decoded, its lines kept. */
export function renderText(compiled: CompiledText, variables: MessageVariables): string {
  return decodeEntities(engine.renderSync(compiled.text, variables as unknown as Record<string, unknown>, { strictVariables: false }) as string).trim();
}

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#34);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#34': '"' })[name] ?? '');
}

/** Subject and preheader were escaped like HTML; as header text they are decoded and kept on one line. */
function decodeText(text: string): string {
  return decodeEntities(text).replace(/\s+/g, ' ').trim();
}
