/**
 * The plain-text part of an email, made from its HTML: links kept as "text (url)", headings on
 * their own lines, lists as dashes or numbers, tables as lines; head, styles, scripts, comments
 * (Outlook's conditional blocks among them) and hidden elements dropped. Written for the HTML MJML
 * produces and run once per recipient, so it is a single pass over the tags rather than a DOM.
 */

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'", '#34': '"', '#x27': "'", hellip: '…', mdash: '—', ndash: '–', copy: '©', reg: '®', middot: '·', rsquo: '’', lsquo: '‘', ldquo: '“', rdquo: '”', euro: '€', pound: '£' };

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
    }
    return entities[name.toLowerCase()] ?? whole;
  });
}

const blockTags = new Set(['p', 'div', 'table', 'tr', 'ul', 'ol', 'section', 'article', 'header', 'footer', 'blockquote', 'center', 'hr']);
const droppedTags = new Set(['head', 'style', 'script', 'title', 'noscript']);
const tagPattern = /<!--[\s\S]*?-->|<![^>]*>|<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;

// One pattern per attribute name, made once: this runs for every tag of every recipient's message.
const attributePatterns = new Map<string, RegExp>();

function attribute(attributes: string, name: string): string | undefined {
  let pattern = attributePatterns.get(name);
  if (!pattern) {
    pattern = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i');
    attributePatterns.set(name, pattern);
  }
  const match = pattern.exec(attributes);
  return match ? decodeEntities(match[1] ?? match[2] ?? match[3] ?? '') : undefined;
}

const hiding = /display\s*:\s*none/i;
/** Hidden by its style attribute; most tags say nothing of the kind, so the style is read only when they might. */
const isHidden = (attributes: string): boolean => hiding.test(attributes) && hiding.test(attribute(attributes, 'style') ?? '');

interface OpenLink { href: string; start: number }

export function htmlToText(html: string): string {
  const out: string[] = [];
  let skipDepth = 0;
  let skipTag = '';
  let hiddenDepth = 0;
  const lists: { ordered: boolean; n: number }[] = [];
  const links: OpenLink[] = [];
  const headings: { level: number; start: number }[] = [];
  let last = 0;
  const text = (chunk: string): void => {
    if (skipDepth || hiddenDepth || chunk.length === 0) return;
    // Most chunks between MJML's tags are only indentation: one space, without a pass of regexes.
    if (chunk.trim().length === 0) {
      out.push(' ');
      return;
    }
    const plain = decodeEntities(chunk.replace(/\s+/g, ' '));
    if (plain) out.push(plain);
  };
  const lineBreak = (blank = false): void => {
    if (!skipDepth && !hiddenDepth) out.push(blank ? '\n\n' : '\n');
  };
  const stack: string[] = [];
  for (const match of html.matchAll(tagPattern)) {
    text(html.slice(last, match.index));
    last = match.index + match[0].length;
    const name = match[2]?.toLowerCase();
    if (!name) continue; // a comment
    const closing = match[1] === '/';
    const attributes = match[3] ?? '';
    if (skipDepth) {
      if (name === skipTag) skipDepth += closing ? -1 : 1;
      continue;
    }
    if (droppedTags.has(name) && !closing) {
      if (!attributes.trim().endsWith('/')) {
        skipDepth = 1;
        skipTag = name;
      }
      continue;
    }
    if (hiddenDepth) {
      if (name === 'div' || name === 'span' || name === 'table' || name === 'td' || name === 'p') {
        if (closing) {
          if (stack.pop() === 'hidden') hiddenDepth -= 1;
        } else stack.push('');
      }
      continue;
    }
    if (!closing && (name === 'div' || name === 'span' || name === 'table' || name === 'td' || name === 'p')) {
      if (isHidden(attributes)) {
        hiddenDepth = 1;
        stack.push('hidden');
        continue;
      }
      stack.push('');
    } else if (closing && (name === 'div' || name === 'span' || name === 'table' || name === 'td' || name === 'p')) {
      stack.pop();
    }
    if (name === 'br') lineBreak();
    else if (/^h[1-6]$/.test(name)) {
      if (!closing) {
        lineBreak(true);
        headings.push({ level: Number(name[1]), start: out.length });
      } else {
        const heading = headings.pop();
        if (heading) {
          const title = out.splice(heading.start).join('').trim();
          out.push(heading.level <= 2 ? title.toUpperCase() : title);
        }
        lineBreak(true);
      }
    } else if (name === 'ul' || name === 'ol') {
      if (closing) lists.pop();
      else lists.push({ ordered: name === 'ol', n: 0 });
      lineBreak();
    } else if (name === 'li') {
      if (!closing) {
        const current = lists.at(-1);
        lineBreak();
        out.push(`${'  '.repeat(Math.max(0, lists.length - 1))}${current?.ordered ? `${(current.n += 1)}.` : '-'} `);
      }
    } else if (name === 'a') {
      if (!closing) links.push({ href: attribute(attributes, 'href') ?? '', start: out.length });
      else {
        const link = links.pop();
        if (link) {
          const label = out.slice(link.start).join('').replace(/\s+/g, ' ').trim();
          const href = link.href.trim();
          const showUrl = href && !href.startsWith('#') && !/^javascript:/i.test(href);
          if (showUrl && label && label !== href && label !== href.replace(/^mailto:/, '')) out.push(` (${href})`);
          else if (showUrl && !label) out.push(href);
        }
      }
    } else if (name === 'img') {
      // An image inside a link with no other text shows its alt text, so the link still reads.
      const alt = attribute(attributes, 'alt');
      if (alt && links.length) out.push(alt);
    } else if (name === 'td' || name === 'th') {
      if (closing) out.push(' ');
    } else if (blockTags.has(name)) {
      lineBreak(name === 'p' || name === 'table' || name === 'hr');
      if (name === 'hr' && !closing) out.push('----------------------------------------\n');
    }
  }
  text(html.slice(last));
  return out.join('')
    .split('\n').map((line) => line.replace(/[ \t]+/g, ' ').trim()).join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
