import type { CliCommand } from './command';
import { applyCommand } from './commands/apply';
import { checkCommand } from './commands/check';
import { nodeCommand } from './commands/node';
import { planCommand } from './commands/plan';
import { validateCommand } from './commands/validate';
import { versionCommand } from './commands/version';

/** Every subcommand, in the order `keelson --help` lists them. */
export const commands: CliCommand[] = [
  validateCommand,
  planCommand,
  checkCommand,
  applyCommand,
  nodeCommand,
  versionCommand,
];
