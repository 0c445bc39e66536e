// Message rendering: a template version is compiled once (MJML → HTML, Liquid protected) and each
// recipient's message is a Liquid render of that HTML plus its plain-text part, as the sender will
// call it. The template is the win-back starter (a discount block and a recommendation loop) with
// six recommended products per recipient, each recipient with their own name, language and
// products. Baseline in the same run: what rendering would cost with MJML compiled per recipient
// (Liquid first, then MJML), the approach the compile-once design avoids. Target for render + send
// over pooled SMTP: ≥ 500 messages/s on 2 cores; this row is the render half.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import mjml2html from 'mjml';
import { Liquid } from 'liquidjs';
import { loadConfig } from '../dist/config.js';
import { Storage } from '../dist/db/database.js';
import { silentLogger } from '../dist/lib/logger.js';
import { renderEmail, sampleVariables } from '../dist/modules/messaging/index.js';
import { createServices } from '../dist/services.js';

const languages = ['en', 'fr', 'de', 'en-GB', 'es'];
const names = ['Ada', 'Ben', 'Cleo', 'Dev', 'Eva', 'Finn', 'Gia', 'Hugo', 'Isla', 'Jon'];

/** A recipient's variables: the sample ones with their own name, language and six products. */
function recipient(base, i) {
  const products = Array.from({ length: 6 }, (_, k) => ({
    title: `Product ${(i * 7 + k) % 500}`, url: `https://shop.example/products/p-${(i * 7 + k) % 500}?ref=${i}`,
    image: `https://cdn.shop.example/p/${(i * 7 + k) % 500}.jpg`, price: 1_000 + ((i * 31 + k * 17) % 9_000),
  }));
  return {
    ...base,
    customer: { ...base.customer, id: i, first_name: names[i % names.length], name: `${names[i % names.length]} Example`, email: `c${i}@example.com`, language: languages[i % languages.length] },
    recommendations: products,
    discount_code: `BACK-${i.toString(36).toUpperCase()}`,
    links: { unsubscribe_url: `https://hearth.example/u/${i}`, preferences_url: `https://hearth.example/p/${i}`, view_in_browser_url: `https://hearth.example/m/${i}` },
  };
}

export default async function ({ scale, log }) {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-templates-'));
  const config = loadConfig({ HEARTH_DATA_DIR: dir, HEARTH_LOG_LEVEL: 'silent' });
  const storage = await Storage.open({ dataDir: dir, readers: 1, memoryLimit: '512MB', threads: 2 });
  try {
    await storage.migrate();
    const services = createServices(config, storage, silentLogger);
    const store = await services.accounts.createStore({ name: 'Bench Store', slug: 'bench', currency: 'EUR', timezone: 'Europe/Paris' });
    const template = await services.templates.createFromStarter(store.id, 'win_back');
    // The product as wired: the service compiles the saved version (not cached yet in a fresh service).
    const fresh = createServices(config, storage, silentLogger);
    let started = performance.now();
    const { compiled } = await fresh.templates.compiled(store.id, template.id);
    const compileMs = performance.now() - started;
    const base = sampleVariables(await fresh.templates.storeVariables(store.id));

    const n = Math.max(2_000, Math.round(50_000 * scale));
    const recipients = Array.from({ length: 1_000 }, (_, i) => recipient(base, i));
    for (let i = 0; i < 200; i += 1) renderEmail(compiled, recipients[i % recipients.length]); // warm-up
    let bytes = 0;
    started = performance.now();
    for (let i = 0; i < n; i += 1) {
      const email = renderEmail(compiled, recipients[i % recipients.length]);
      bytes += email.html.length + email.text.length;
    }
    const renderSeconds = (performance.now() - started) / 1000;
    const rate = n / renderSeconds;
    log(`rendered ${n.toLocaleString('en')} messages (${Math.round(bytes / n / 1024)} KiB HTML + text each) in ${renderSeconds.toFixed(2)} s`);

    // Baseline: Liquid on the MJML, then MJML per recipient (what compiling once avoids).
    const liquid = new Liquid({ outputEscape: 'escape' });
    liquid.registerFilter('money', (v) => String(v));
    liquid.registerFilter('image_url', (v) => String(v));
    const source = await fresh.templates.version(store.id, template.id, 1);
    const parsed = liquid.parse(source.body);
    const m = Math.max(20, Math.round(200 * scale));
    started = performance.now();
    for (let i = 0; i < m; i += 1) await mjml2html(liquid.renderSync(parsed, recipients[i % recipients.length]), { validationLevel: 'skip' });
    const perRecipientRate = m / ((performance.now() - started) / 1000);

    return [
      { name: 'compile a template version (MJML → HTML, once)', value: Math.round(compileMs), unit: 'ms', note: 'win-back starter, cold' },
      { name: 'MJML per recipient (baseline)', value: Math.round(perRecipientRate), unit: 'messages/s', note: `${m} messages; Liquid then MJML for each` },
      {
        name: 'render per recipient (Liquid over compiled HTML + text part)', value: Math.round(rate), unit: 'messages/s', ratio: Math.round((rate / perRecipientRate) * 10) / 10,
        note: `${n.toLocaleString('en')} messages, 6 recommendations each, one core, load average ${loadavg()[0].toFixed(1)}; target for render + send ≥ 500/s`,
      },
    ];
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
