import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** Asks a question on the terminal; with `hidden`, what is typed is not echoed (passwords). */
export function ask(question: string, hidden = false): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      if (hidden) process.stderr.write('\n');
      resolve(answer);
    });
    muted = hidden;
  });
}

/** KEELSON_SECRET_<NAME> with the name upper-cased and . - turned into _: how a script passes a secret. */
export function secretEnvName(name: string): string {
  return `KEELSON_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}
