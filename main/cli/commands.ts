import type { CliCommand } from './command';
import { versionCommand } from './commands/version';

/** Every subcommand, in the order `keelson --help` lists them. */
export const commands: CliCommand[] = [versionCommand];
