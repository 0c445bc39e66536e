import { describe, expect, it } from 'vitest';
import {
  compileTemplate, htmlToText, renderEmail, sampleVariables, starterTemplates, type CompiledEmail, type MessageVariables, type StoreVariables,
} from '../../src/modules/messaging/index.js';

const store: StoreVariables = {
  name: 'Linen & Co', url: 'https://linen.example', logo_url: null, address: '1 Quay Street, Bristol BS1 4DJ', currency: 'EUR', timezone: 'Europe/Paris',
  colors: { primary: '#114477', background: '#f5f5f5', text: '#222222' },
};

const frame = (inner: string): string => `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
${inner}
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;

async function compiled(body: string, subject = 'Hello', preheader = ''): Promise<CompiledEmail> {
  const result = await compileTemplate({ subject, preheader, body, purpose: 'transactional' });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.compiled;
}

function variables(change: (v: MessageVariables) => void = () => {}): MessageVariables {
  const v = sampleVariables(store, new Date('2026-06-15T10:00:00Z'));
  change(v);
  return v;
}

const textOf = async (liquid: string, change?: (v: MessageVariables) => void): Promise<string> =>
  renderEmail(await compiled(frame(`<mj-text>${liquid}</mj-text>`)), variables(change)).text;

describe('filters', () => {
  it('formats money from minor units in the store currency, for the recipient language', async () => {
    expect(await textOf('{{ 1250 | money }}')).toBe('€12.50');
    expect(await textOf('{{ 1250 | money }}', (v) => { v.customer.language = 'fr'; })).toBe('12,50 €');
    expect(await textOf('{{ 1250 | money: "JPY" }}')).toBe('¥1,250');
    expect(await textOf('{{ 123456 | money_without_currency }}')).toBe('1,234.56');
    expect(await textOf('{{ 1250 | money_with_currency }}')).toBe('€12.50 EUR');
    expect(await textOf('[{{ discount_code | money }}]', (v) => { v.discount_code = null; })).toBe('[]');
  });

  it('shows dates in the store time zone (Paris is UTC+2 in June, UTC+1 in January)', async () => {
    const at = (iso: string) => (v: MessageVariables) => { v.order = { ...v.order, created_at: new Date(iso) }; };
    expect(await textOf('{{ order.created_at | date: "%Y-%m-%d %H:%M %z" }}', at('2026-06-30T22:30:00Z'))).toBe('2026-07-01 00:30 +0200');
    expect(await textOf('{{ order.created_at | date: "%A %-d %B %Y, %l:%M %p" }}', at('2026-01-05T22:30:00Z'))).toBe('Monday 5 January 2026, 11:30 PM');
    expect(await textOf('{{ order.created_at | date: "%d/%m %H:%M", "America/New_York" }}', at('2026-01-05T22:30:00Z'))).toBe('05/01 17:30');
  });

  it('sizes image URLs, pluralises, handleizes, encodes and defaults', async () => {
    expect(await textOf('{{ "https://cdn.example/a.jpg" | image_url: width: 300 }}')).toBe('https://cdn.example/a.jpg?width=300');
    expect(await textOf('{{ "https://cdn.example/a.jpg?v=2" | img_url: "200x100" }}')).toBe('https://cdn.example/a.jpg?v=2&width=200&height=100');
    expect(await textOf('{{ 1 | pluralize: "item", "items" }} {{ 3 | pluralize: "item", "items" }}')).toBe('item items');
    expect(await textOf('{{ "Blue Cotton T-Shirt!" | handleize }}')).toBe('blue-cotton-t-shirt');
    expect(await textOf('{{ "a b&c" | url_encode }}')).toBe('a+b%26c');
    expect(await textOf('{{ customer.first_name | default: "there" }}', (v) => { v.customer.first_name = null; })).toBe('there');
  });
});

describe('escaping', () => {
  const hostile = '<img src=x onerror=alert(1)>"\'';

  it('HTML-escapes every output by default, in text and in attributes', async () => {
    const body = frame(`<mj-text>Hi {{ customer.first_name }}</mj-text>
        <mj-button href="https://linen.example/?n={{ customer.first_name }}">Go</mj-button>`);
    const email = renderEmail(await compiled(body, 'Hi {{ customer.first_name }}'), variables((v) => { v.customer.first_name = hostile; }));
    expect(email.html).not.toContain('<img src=x');
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;&#34;&#39;');
    expect(email.html).not.toMatch(/href="[^"]*"'/);
    // The subject is a header, not HTML: the customer's text as written.
    expect(email.subject).toBe(`Hi ${hostile}`);
  });

  it('lets a trusted block through with raw', async () => {
    const email = renderEmail(await compiled(frame('<mj-text>{{ store.name | raw }}</mj-text>')), variables((v) => { v.store = { ...v.store, name: '<b>bold</b>' }; }));
    expect(email.html).toContain('<b>bold</b>');
  });
});

describe('MJML with Liquid', () => {
  it('keeps a loop around sections, Liquid in colours and hrefs, and conditions between elements', async () => {
    const body = `<mjml>
  <mj-body background-color="{{ store.colors.background }}">
    {% for product in recommendations %}
    <mj-section>
      <mj-column>
        <mj-text color="{{ store.colors.text }}">{{ product.title }}</mj-text>
        <mj-button background-color="{{ store.colors.primary }}" href="{{ product.url }}?utm_source=email&amp;n={{ forloop.index }}">Buy</mj-button>
      </mj-column>
    </mj-section>
    {% endfor %}
    <mj-section><mj-column>
      {% if customer.orders_count > 1 %}<mj-text>Welcome back</mj-text>{% else %}<mj-text>First time</mj-text>{% endif %}
    </mj-column></mj-section>
  </mj-body>
</mjml>`;
    const v = variables();
    const email = renderEmail(await compiled(body), v);
    for (const [i, product] of v.recommendations.entries()) {
      expect(email.text).toContain(`${product.title as string}`);
      expect(email.html).toContain(`href="${product.url as string}?utm_source=email&amp;n=${i + 1}"`);
    }
    expect(email.html.match(/>\s*Buy\s*</g)).toHaveLength(v.recommendations.length);
    expect(email.html).toContain(`background-color:${store.colors.background}`);
    expect(email.html).toContain(`color:${store.colors.text}`);
    expect(email.html).toContain(`background:${store.colors.primary}`);
    expect(email.text).toContain(v.customer.orders_count > 1 ? 'Welcome back' : 'First time');
    expect(email.text).not.toContain('{%');
  });

  it('puts the preheader in the HTML, hidden, and not in the text part', async () => {
    const email = renderEmail(await compiled(frame('<mj-text>Body</mj-text>'), 'S', 'Only {{ customer.first_name }} sees this first'), variables());
    expect(email.preheader).toBe('Only Ada sees this first');
    expect(email.html).toMatch(/<div style="display:none;[^"]*">Only Ada sees this first/);
    expect(email.text).toBe('Body');
  });
});

describe('plain-text part', () => {
  it('keeps links as text (url), headings, lists and tables; drops styles, scripts, comments and hidden text', () => {
    const html = `<!doctype html><html><head><title>T</title><style>.a{color:red}</style></head><body>
      <div style="display:none">hidden preheader</div>
      <!--[if mso]><table><tr><td>outlook only</td></tr></table><![endif]-->
      <h1>Big news</h1><h3>Smaller</h3>
      <p>Read <a href="https://x.example/a?b=1&amp;c=2">our story</a> &amp; more.</p>
      <p><a href="https://x.example/plain">https://x.example/plain</a></p>
      <ul><li>One</li><li>Two</li></ul><ol><li>First</li><li>Second</li></ol>
      <table><tr><td>Total</td><td>€12.50</td></tr></table>
      <script>alert(1)</script>
      <p>Line<br>break</p></body></html>`;
    expect(htmlToText(html)).toBe([
      'BIG NEWS', '', 'Smaller', '', 'Read our story (https://x.example/a?b=1&c=2) & more.', '', 'https://x.example/plain', '',
      '- One', '- Two', '', '1. First', '2. Second', '', 'Total €12.50', '', 'Line', 'break',
    ].join('\n'));
  });
});

describe('validation', () => {
  it('names Liquid syntax errors with line and column', async () => {
    const result = await compileTemplate({ subject: 'Hi {{ customer.first_name | shout }}', preheader: '', body: frame('        <mj-text>{% if customer.first_name %}open</mj-text>'), purpose: 'transactional' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContainEqual({ path: 'subject', line: 1, column: 4, reason: 'undefined filter: shout' });
    expect(result.problems).toContainEqual({ path: 'body', line: 5, column: 18, reason: 'tag {% if customer.first_name %} not closed' });
  });

  it('names unknown variables where they are read, and accepts the documented ones', async () => {
    const body = frame(`        <mj-text>{{ customer.frist_name }} {{ order.line_items.first.title }} {{ order.line_items.size }}</mj-text>
        <mj-text>{{ coupon }} {{ loyalty.anything }} {% for p in recommendations %}{{ p.title }}{% endfor %}</mj-text>`);
    const result = await compileTemplate({ subject: '{{ store.nmae }}', preheader: '', body, purpose: 'transactional' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      { path: 'subject', line: 1, column: 4, reason: 'unknown variable "store.nmae"' },
      { path: 'body', line: 5, column: 21, reason: 'unknown variable "customer.frist_name"' },
      { path: 'body', line: 6, column: 21, reason: 'unknown variable "coupon"' },
    ]);
  });

  it('checks the fields read from a loop variable against the list it walks', async () => {
    const body = frame(`        <mj-text>{% for item in order.line_items %}{{ item.title }} {{ item.titel }} {{ forloop.index }}{% endfor %}</mj-text>
        <mj-text>{% assign total = order.total %}{{ total }} {% for p in recommendations %}{{ p.explanation }}{% endfor %}</mj-text>`);
    const result = await compileTemplate({ subject: 'S', preheader: '', body, purpose: 'transactional' });
    expect(result.ok ? [] : result.problems).toEqual([{ path: 'body', line: 5, column: 72, reason: 'unknown variable "item.titel"' }]);
  });

  it('names MJML errors with their line and the column of the element, and unclosed elements', async () => {
    const unknownElement = await compileTemplate({ subject: 'S', preheader: '', body: frame('        <mj-txt>Oops</mj-txt>'), purpose: 'transactional' });
    expect(unknownElement).toEqual({ ok: false, problems: [{ path: 'body', line: 5, column: 9, reason: "Element mj-txt doesn't exist or is not registered" }] });
    const unclosed = await compileTemplate({ subject: 'S', preheader: '', body: frame('        <mj-text>{% comment %}\nspans\nlines{% endcomment %}\n        <mj-text>Open'), purpose: 'transactional' });
    expect(unclosed.ok).toBe(false);
    if (!unclosed.ok) expect(unclosed.problems[0]).toEqual({ path: 'body', line: 5, column: 9, reason: '<mj-text> is never closed' });
  });

  it('refuses marketing mail without the unsubscribe link, and without the address when the store has one', async () => {
    const body = frame('        <mj-text>Offer</mj-text>');
    const result = await compileTemplate({ subject: 'S', preheader: '', body, purpose: 'marketing' }, { storeHasAddress: true });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.reason)).toEqual([
      expect.stringContaining('links.unsubscribe_url'), expect.stringContaining('store.address'),
    ]);
    const footer = frame('        <mj-text>Offer {{ store.address }} <a href="{{ links.unsubscribe_url }}">Unsubscribe</a></mj-text>');
    expect((await compileTemplate({ subject: 'S', preheader: '', body: footer, purpose: 'marketing' }, { storeHasAddress: true })).ok).toBe(true);
  });
});

describe('starter templates', () => {
  it('all compile and render every block with the sample customer, with a legal footer on marketing ones', async () => {
    const v = variables();
    expect(starterTemplates()).toHaveLength(14);
    for (const starter of starterTemplates()) {
      const result = await compileTemplate(starter, { storeHasAddress: true });
      expect(result.ok ? [] : result.problems, starter.key).toEqual([]);
      if (!result.ok) continue;
      const email = renderEmail(result.compiled, v, { strict: true });
      expect(email.subject, starter.key).not.toMatch(/\{\{|\{%|^\s*$/);
      expect(email.text, starter.key).toContain(store.name);
      expect(email.text, starter.key).toContain(store.address);
      if (starter.purpose === 'marketing') expect(email.text, starter.key).toContain(`Unsubscribe (${v.links.unsubscribe_url})`);
      expect(email.html, starter.key).not.toMatch(/hearthlq\d+x|\{\{|\{%/);
    }
  });
});
