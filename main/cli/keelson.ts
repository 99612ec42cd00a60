import { KEELSON_VERSION } from '../../shared/version';
import { runCli } from './run';

process.exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  version: KEELSON_VERSION,
});
