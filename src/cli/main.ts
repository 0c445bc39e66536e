/**
 * The `hearth` command. Each command lives in its own file; wrong arguments print a one-line
 * reason and exit 2.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { DataDirInUseError } from '../db/database.js';
import { AppError } from '../lib/errors.js';
import { PendingMigrationsError } from '../main.js';
import { registerAdminCommands } from './admin.command.js';
import { registerCampaignsCommand } from './campaigns.command.js';
import { registerCustomerCommand } from './customer.command.js';
import { registerDemoCommand } from './demo.command.js';
import { registerImportCommand } from './import.command.js';
import { registerLoyaltyCommand } from './loyalty.command.js';
import { registerOffersCommand } from './offers.command.js';
import { registerSupportCommands } from './support.command.js';
import { registerReviewsCommand } from './reviews.command.js';
import { registerRecommendationsCommand } from './recommendations.command.js';
import { registerMessagesCommand } from './messages.command.js';
import { registerModelsCommand, registerPredictionsReport } from './models.command.js';
import { exitCodeOf } from './context.js';
import { registerReportCommand } from './report.command.js';
import { registerJourneyCommands } from './journey.command.js';
import { registerPersonasCommand } from './personas.command.js';
import { registerSegmentsCommand } from './segments.command.js';
import { registerTemplatesCommand } from './templates.command.js';
import { registerFlowsCommand } from './flows.command.js';
import { registerExperimentsCommand } from './experiments.command.js';
import { registerServeCommand } from './serve.command.js';
import { registerStatusCommand } from './status.command.js';

export function buildProgram(): Command {
  const program = new Command('hearth')
    .description('Hearth: customer retention for online stores')
    .version('0.1.0')
    .showSuggestionAfterError(true)
    .exitOverride()
    // One line per error; a group command run without its subcommand says so in `run` instead of printing its help.
    .configureOutput({ writeErr: (text) => void (text.startsWith('Usage:') || process.stderr.write(text.split('\n')[0] + '\n')) });
  registerServeCommand(program);
  registerStatusCommand(program);
  registerDemoCommand(program);
  registerReportCommand(program);
  registerJourneyCommands(program);
  registerAdminCommands(program);
  registerSegmentsCommand(program);
  registerCampaignsCommand(program);
  registerLoyaltyCommand(program);
  registerOffersCommand(program);
  registerSupportCommands(program);
  registerReviewsCommand(program);
  registerRecommendationsCommand(program);
  registerPersonasCommand(program);
  registerTemplatesCommand(program);
  registerFlowsCommand(program);
  registerExperimentsCommand(program);
  registerCustomerCommand(program);
  registerImportCommand(program);
  registerMessagesCommand(program);
  registerModelsCommand(program);
  registerPredictionsReport(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      if (error.code === 'commander.help') {
        if (error.exitCode === 0) return 0;
        process.stderr.write(`error: ${missingSubcommand(program, argv)}\n`);
      }
      return 2;
    }
    process.stderr.write(`error: ${describe(error)}\n`);
    return error instanceof ConfigError ? 2 : exitCodeOf(error);
  }
}

/** `hearth report` alone: which command it needs. */
function missingSubcommand(program: Command, argv: string[]): string {
  let command = program;
  for (const word of argv.filter((a) => !a.startsWith('-'))) {
    const next = command.commands.find((c) => c.name() === word);
    if (!next) break;
    command = next;
  }
  const path = [];
  for (let c: Command | null = command; c; c = c.parent) path.unshift(c.name());
  return `${path.join(' ')}: missing command (one of ${command.commands.map((c) => c.name()).join(', ')}); see \`${path.join(' ')} --help\``;
}

function describe(error: unknown): string {
  if (error instanceof AppError) {
    const details = error.details.map((d) => `${d.path}${d.line ? `:${d.line}${d.column ? `:${d.column}` : ''}` : ''}: ${d.reason}`).join('; ');
    return details ? `${error.message} (${details})` : error.message;
  }
  if (error instanceof ConfigError || error instanceof DataDirInUseError || error instanceof PendingMigrationsError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

const isEntry = process.argv[1] !== undefined && /hearth(\.js)?$|cli[\\/]main\.(js|ts)$/.test(process.argv[1]);
if (isEntry) {
  // Output piped into a reader that stops early (`| head`) ends the command quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const code = await run(process.argv.slice(2));
  // serve keeps running; other commands exit with their code.
  if (code !== 0 || !['serve', 'demo'].includes(process.argv[2] ?? '')) process.exitCode = code;
}
