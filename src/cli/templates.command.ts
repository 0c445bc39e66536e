import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { TemplateTestSend } from '../http/schemas/templates.schemas.js';
import type { TemplateProblem } from '../modules/messaging/index.js';
import { CliError, formatTable, printJson, resolveStoreId, withContext, withContextOrServer, withDataDir, type CommonOptions } from './context.js';

function readText(name: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`${name}: cannot read ${path} (${(error as Error).message})`, 2);
  }
}

/** "body:12:5 unknown variable …", the way compilers print a problem. */
const problemLine = (p: TemplateProblem): string => `${p.path}${p.line ? `:${p.line}${p.column ? `:${p.column}` : ''}` : ''}  ${p.reason}`;

function purposeOf(text: string | undefined): 'marketing' | 'transactional' {
  if (text === undefined || text === 'marketing' || text === 'transactional') return text ?? 'marketing';
  throw new CliError(`--purpose: marketing or transactional, got "${text}"`, 2);
}

export function registerTemplatesCommand(program: Command): void {
  const templates = program.command('templates').description('list, show, validate, preview and test message templates');

  withDataDir(templates.command('list').description('the store\'s templates (a store with none gets the starters)'))
    .option('--archived', 'include archived templates').option('--json', 'print JSON')
    .action(async (options: CommonOptions & { archived?: boolean }) => withContext(options, async ({ services }) => {
      const storeId = await resolveStoreId(services, options.store);
      const list = await services.templates.list(storeId, { archived: Boolean(options.archived) });
      if (options.json) return printJson(list);
      process.stdout.write(`${formatTable(['id', 'name', 'purpose', 'version', 'subject', 'updated'], list.map((t) => [t.id, t.name, t.purpose, t.version, t.subject, t.updated_at.toISOString()]))}\n`);
    }));

  withDataDir(templates.command('show <id>').description('a template: its current content and versions'))
    .option('--version <n>', 'show this version instead of the current one').option('--json', 'print JSON')
    .action(async (id: string, options: CommonOptions & { version?: string }) => withContext(options, async ({ services }) => {
      const storeId = await resolveStoreId(services, options.store);
      if (options.version !== undefined) {
        const n = Number(options.version);
        if (!Number.isInteger(n) || n < 1) throw new CliError(`--version: a whole number above 0, got "${options.version}"`, 2);
        const version = await services.templates.version(storeId, id, n);
        if (options.json) return printJson(version);
        process.stdout.write(`${version.name} — version ${version.version} (${version.purpose})\nsubject: ${version.subject}\npreheader: ${version.preheader}\n\n${version.body}\n`);
        return;
      }
      const template = await services.templates.get(storeId, id);
      if (options.json) return printJson(template);
      process.stdout.write(`${template.name} — version ${template.version} (${template.purpose})${template.archived_at ? ' [archived]' : ''}\nsubject: ${template.subject}\npreheader: ${template.preheader}\n\n${template.body}\n\n`);
      process.stdout.write(`${formatTable(['version', 'subject', 'saved by', 'saved'], template.versions.map((v) => [v.version, v.subject, v.created_by, v.created_at.toISOString()]))}\n`);
    }));

  withDataDir(templates.command('validate').description('check an MJML file (and subject) as a save would: Liquid, MJML, variables, legal footer'))
    .requiredOption('--body <file>', 'the MJML body').option('--subject <text>', 'the subject', 'Subject').option('--preheader <text>', 'the preheader', '')
    .option('--purpose <purpose>', 'marketing (default) or transactional').option('--json', 'print JSON')
    .action(async (options: CommonOptions & { body: string; subject: string; preheader: string; purpose?: string }) => {
      const body = readText('--body', options.body)!;
      const purpose = purposeOf(options.purpose);
      await withContext(options, async ({ services }) => {
        const storeId = await resolveStoreId(services, options.store);
        const problems = await services.templates.validate(storeId, { subject: options.subject, preheader: options.preheader, body, purpose });
        if (options.json) printJson({ ok: problems.length === 0, problems });
        else process.stdout.write(problems.length ? `${problems.map(problemLine).join('\n')}\n` : 'ok\n');
        if (problems.length) throw new CliError(`${problems.length} problem${problems.length === 1 ? '' : 's'}`, 2);
      });
    });

  withDataDir(templates.command('preview <id>').description('render a saved template for a customer (id, ext:<id> or email) or the sample customer'))
    .option('--customer <ref>', 'the customer').option('--version <n>', 'a saved version (default: current)')
    .option('--html <file>', 'write the HTML to this file').option('--json', 'print JSON')
    .action(async (id: string, options: CommonOptions & { customer?: string; version?: string; html?: string }) => withContext(options, async ({ services }) => {
      const storeId = await resolveStoreId(services, options.store);
      const version = options.version === undefined ? undefined : Number(options.version);
      if (version !== undefined && (!Number.isInteger(version) || version < 1)) throw new CliError(`--version: a whole number above 0, got "${options.version}"`, 2);
      const preview = await services.templates.preview(storeId, { templateId: id, ...(version && { version }) }, { ...(options.customer && { customer: options.customer }) });
      if (options.html) writeFileSync(options.html, preview.html);
      if (options.json) return printJson(preview);
      process.stdout.write(`To: ${preview.customer.name} <${preview.customer.email ?? ''}>${preview.customer.sample ? ' (sample customer)' : ''}\nSubject: ${preview.subject}\nPreheader: ${preview.preheader}\n\n${preview.text}\n`);
      if (options.html) process.stdout.write(`\nHTML written to ${options.html}\n`);
    }));

  withDataDir(templates.command('test <id>').description('send a test of a template to an address (rendered for a customer or the sample customer); through the server when one runs'))
    .requiredOption('--to <address>', 'where to send it').option('--customer <ref>', 'render for this customer (id, ext:<id> or email)')
    .option('--json', 'print JSON')
    .action(async (id: string, options: CommonOptions & { to: string; customer?: string }) => {
      if (!/^[^\s@]+@[^\s@]+$/.test(options.to.trim())) throw new CliError(`--to: an email address, got "${options.to}"`, 2);
      const body = { to: options.to.trim(), ...(options.customer && { customer_id: options.customer }) };
      const sent = await withContextOrServer(options, async ({ services }) => {
        const storeId = await resolveStoreId(services, options.store);
        return services.templates.sendTest(storeId, id, body.to, { ...(options.customer && { customer: options.customer }) });
      }, async (server) => server.json<TemplateTestSend>('POST', `/api/v1/templates/${encodeURIComponent(id)}/test`, { store: await resolveStoreId(server, options.store), body }));
      if (options.json) return printJson(sent);
      process.stdout.write(`test message ${sent.send_id} to ${sent.to}: ${sent.state}${sent.reason ? ` (${sent.reason})` : ''}${sent.message_id ? `, Message-ID ${sent.message_id}` : ''}\n`);
      if (sent.state !== 'sent') process.exitCode = 1;
    });
}
