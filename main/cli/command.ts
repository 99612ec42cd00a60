export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  version: string;
}

/** One `keelson <name>` subcommand. Each lives in its own file under main/cli/commands/. */
export interface CliCommand {
  name: string;
  /** One line for the list in `keelson --help`. */
  summary: string;
  /**
   * The full text of `keelson <name> --help` (arguments, options, an example). Without it
   * the help is a usage line and the summary.
   */
  usage?: string;
  run(args: string[], io: CliIo): Promise<number>;
}
