import type { CliCommand, CliIo } from './command';
import { commands } from './commands';

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: keelson <command> [options]',
    '',
    'Design, check and deploy highly-available kubeadm clusters.',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -h, --help     show help (also: keelson <command> --help)',
    '  -v, --version  print the version',
    '',
  ].join('\n');
}

/** Runs one CLI invocation; returns the exit code. Kept free of process.exit for tests. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    io.out(usage());
    return first === undefined ? 2 : 0;
  }
  if (first === '-v' || first === '--version') {
    io.out(`keelson ${io.version}\n`);
    return 0;
  }
  const command: CliCommand | undefined = commands.find((c) => c.name === first);
  if (!command) {
    io.err(`keelson: unknown command "${first}". Run "keelson --help" for the list.\n`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    // Commands report their own errors; anything reaching here is a bug, said in one line.
    io.err(`keelson ${command.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
