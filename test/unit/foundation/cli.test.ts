import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CliCommand } from '../../../main/cli/command';
import { runCli } from '../../../main/cli/run';
import { ensureBuilt } from './build-output';

async function cli(argv: string[], commands?: CliCommand[]) {
  let out = '';
  let err = '';
  const io = { out: (t: string) => (out += t), err: (t: string) => (err += t), version: '9.8.7' };
  const code = await runCli(argv, io, commands);
  return { code, out, err };
}

const received: string[][] = [];
const deploy: CliCommand = {
  name: 'deploy',
  summary: 'deploy a cluster project',
  usage: 'Usage: keelson deploy PROJECT.keelson.yaml [--dry-run]\n\nRuns the plan against the hosts.',
  async run(args) {
    received.push(args);
    return 0;
  },
};
const broken: CliCommand = {
  name: 'broken',
  summary: 'always throws',
  async run() {
    throw new Error('disk full while writing plan.json');
  },
};

describe('keelson CLI (in process)', () => {
  it('--help lists every command with its summary and exits 0', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const { code, out, err } = await cli([flag], [deploy, broken]);
      expect(code, flag).toBe(0);
      expect(err).toBe('');
      expect(out).toMatch(/^Usage: keelson <command> \[options\]/);
      expect(out).toMatch(/^ {2}deploy {2}deploy a cluster project$/m);
      expect(out).toMatch(/^ {2}broken {2}always throws$/m);
    }
  });

  it('lists the real commands, version among them', async () => {
    expect((await cli(['--help'])).out).toMatch(/^ {2}version +print the Keelson version$/m);
  });

  it('--version and -v print the version', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, out: 'keelson 9.8.7\n', err: '' });
    expect(await cli(['-v'])).toEqual({ code: 0, out: 'keelson 9.8.7\n', err: '' });
    expect(await cli(['version'])).toEqual({ code: 0, out: 'keelson 9.8.7\n', err: '' });
  });

  it('an unknown command exits 2 with one clear line on stderr', async () => {
    const { code, out, err } = await cli(['deplyo', 'x']);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toBe('keelson: unknown command "deplyo". Run "keelson --help" for the list.\n');
    expect((await cli(['--bogus'])).err).toBe(
      'keelson: unknown option "--bogus". Run "keelson --help" for the list.\n',
    );
  });

  it('no command at all is a usage error', async () => {
    const { code, out, err } = await cli([]);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/^Usage: keelson <command>/);
  });

  it("`keelson <cmd> --help` and `keelson help <cmd>` print that command's help without running it", async () => {
    received.length = 0;
    for (const argv of [
      ['deploy', '--help'],
      ['deploy', 'p.keelson.yaml', '-h'],
      ['help', 'deploy'],
    ]) {
      const { code, out } = await cli(argv, [deploy]);
      expect(code, argv.join(' ')).toBe(0);
      expect(out).toBe(`${deploy.usage}\n`);
    }
    expect(received).toEqual([]);
    const generated = await cli(['broken', '--help'], [broken]);
    expect(generated.out).toBe('Usage: keelson broken\n\nalways throws\n');
    expect((await cli(['help', 'nope'], [deploy])).code).toBe(2);
  });

  it('passes arguments through, and a --help after -- is an argument', async () => {
    received.length = 0;
    await cli(['deploy', 'p.keelson.yaml', '--', '--help'], [deploy]);
    expect(received).toEqual([['p.keelson.yaml', '--', '--help']]);
  });

  it('a command that throws exits 1 with one line naming the command', async () => {
    expect(await cli(['broken'], [broken])).toEqual({
      code: 1,
      out: '',
      err: 'keelson broken: disk full while writing plan.json\n',
    });
  });
});

describe('bin/keelson.mjs after build', () => {
  beforeAll(() => ensureBuilt());
  const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

  it('prints the package version', () => {
    const result = spawnSync(process.execPath, ['bin/keelson.mjs', '--version'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`keelson ${version}\n`);
  });

  it("exits 2 on an unknown command, and prints a command's help", () => {
    const unknown = spawnSync(process.execPath, ['bin/keelson.mjs', 'frobnicate'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    const help = spawnSync(process.execPath, ['bin/keelson.mjs', 'version', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: keelson version');
  });

  it('`keelson validate F | head -1` ends quietly: no EPIPE stack trace', () => {
    // Thousands of findings: the CLI is still writing when head has gone.
    const hosts = Array.from(
      { length: 4000 },
      (_, i) => `    - { name: BAD_${i}, address: 10.77.${i >> 8}.${(i % 250) + 1}, roles: [worker] }`,
    );
    const file = join(mkdtempSync(join(tmpdir(), 'keelson-epipe-')), 'many.keelson.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: keelson.dev/v1alpha1',
        'kind: Cluster',
        'metadata:',
        '  name: many',
        'spec:',
        '  kubernetesVersion: "1.37"',
        '  hosts:',
        ...hosts,
        '  apiEndpoint:',
        '    pattern: node-local',
        '',
      ].join('\n'),
    );
    const r = spawnSync('bash', ['-c', `node bin/keelson.mjs validate ${file} | head -1`], {
      encoding: 'utf8',
    });
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toBe('');
  });

  it('prints no terminal escape sequence that came from a file name or a project', () => {
    const evil = '\x1b]0;pwned\x07\x1b[31mred.keelson.yaml';
    const r = spawnSync(process.execPath, ['bin/keelson.mjs', 'validate', evil], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no such file');
    expect(r.stderr).not.toContain('\x1b');
    expect(r.stderr).not.toContain('\x07');
    expect(r.stderr).toContain('\\u{1b}');
  });
});
