import type { CliCommand, CliIo } from './command';
import { commands as allCommands } from './commands';
import { terminalSafe } from './terminal-text';

const HELP_FLAGS = new Set(['-h', '--help']);

function overview(commands: CliCommand[]): string {
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

function commandHelp(command: CliCommand): string {
  const text = command.usage ?? `Usage: keelson ${command.name}\n\n${command.summary}`;
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** `--help` anywhere before a `--` asks for the command's help instead of running it. */
function wantsHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => HELP_FLAGS.has(arg));
}

/**
 * Runs one CLI invocation; returns the exit code (0 ok, 1 failed, 2 usage error).
 * Kept free of process.exit for tests; `commands` is a parameter for the same reason.
 */
export async function runCli(
  argv: string[],
  rawIo: CliIo,
  commands: CliCommand[] = allCommands,
): Promise<number> {
  // Everything printed passes through terminalSafe: a project value, a file name or a parser's
  // message can never send an escape sequence to the user's terminal.
  const io: CliIo = {
    ...rawIo,
    out: (text) => rawIo.out(terminalSafe(text)),
    err: (text) => rawIo.err(terminalSafe(text)),
  };
  const [first, ...rest] = argv;
  const find = (name: string | undefined) => commands.find((c) => c.name === name);
  const unknown = (name: string) => {
    const what = name.startsWith('-') ? 'option' : 'command';
    io.err(`keelson: unknown ${what} "${name}". Run "keelson --help" for the list.\n`);
    return 2;
  };
  if (first === undefined) {
    io.err(overview(commands));
    return 2;
  }
  if (HELP_FLAGS.has(first) || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic === undefined) {
      io.out(overview(commands));
      return 0;
    }
    const command = find(topic);
    if (!command) return unknown(topic);
    io.out(commandHelp(command));
    return 0;
  }
  if (first === '-v' || first === '--version') {
    io.out(`keelson ${io.version}\n`);
    return 0;
  }
  const command = find(first);
  if (!command) return unknown(first);
  if (wantsHelp(rest)) {
    io.out(commandHelp(command));
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    // Commands report their own errors; anything reaching here is a bug, said in one line.
    io.err(`keelson ${command.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
