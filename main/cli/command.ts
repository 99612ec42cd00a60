export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  version: string;
}

/** One `keelson <name>` subcommand. Each lives in its own file under main/cli/commands/. */
export interface CliCommand {
  name: string;
  summary: string;
  run(args: string[], io: CliIo): Promise<number>;
}
