import type { CliCommand } from '../command';

export const versionCommand: CliCommand = {
  name: 'version',
  summary: 'print the Keelson version',
  async run(_args, io) {
    io.out(`keelson ${io.version}\n`);
    return 0;
  },
};
