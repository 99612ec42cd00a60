import { KEELSON_VERSION } from '../../shared/version';
import { runCli } from './run';

// `keelson validate F | head -1`: the reader went away, which is not an error worth a stack
// trace. Stop quietly with the status so far, as other command-line tools do.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });

process.exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  version: KEELSON_VERSION,
});
