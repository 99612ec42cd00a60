/**
 * Bounded, seeded fuzz run of the `keelson` CLI with hostile values: hostile arguments, options
 * and option values, and project files with a hostile value in any string field (or hostile
 * text instead of YAML). Every run must end with a status of 0, 1 or 2 and words — no crash, no
 * stack trace, no escape sequence — and write nothing outside its workspace. Most cases run in
 * process (fast); a few run the real `bin/keelson.mjs` in a child process (the uncaught-error
 * and exit paths). The seed and the number of cases are printed; KEELSON_FUZZ_SEED=N replays.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run';
import { HOSTILE, hostileArb } from '../support/hostile';
import { STRING_FIELDS, fullProject } from '../support/string-fields';
import { fuzzSeed, makeFuzzSandbox, STACK_TRACE, useEnv, type FuzzSandbox } from '../support/fuzz-workspace';
import { ensureBuilt } from './build-output';

const IN_PROCESS_CASES = 1000;
const CHILD_PROCESS_CASES = 4;
const seed = fuzzSeed();

const COMMANDS = ['validate', 'plan', 'apply', 'version', 'help'];
const FLAGS = [
  '--json',
  '--codes',
  '--out',
  '-o',
  '--os',
  '--host-os',
  '--overwrite',
  '--resume',
  '--kubeconfig-out',
  '--merge-kubeconfig',
  '--known-hosts',
  '--parallel',
  '--plain',
  '--only',
  '--skip-phases',
  '--help',
  '--',
];

let box: FuzzSandbox;
let restoreEnv: () => void;
let fileNo = 0;

/** A project file in the workspace: a full design with one hostile field, or hostile text. */
const projectFile = fc
  .oneof(
    fc.tuple(fc.constantFrom(...STRING_FIELDS), hostileArb).map(([field, value]) => {
      const p = fullProject();
      field.set(p, value);
      return stringify(p);
    }),
    fc.constant(stringify(fullProject())),
    hostileArb,
    hostileArb.map((v) => `${stringify(fullProject())}${v}\n`),
  )
  .chain((text) => fc.boolean().map((byRelativeName) => ({ text, byRelativeName })))
  .map(({ text, byRelativeName }) => {
    const file = join(box.workspace, `case-${fileNo++}.keelson.yaml`);
    writeFileSync(file, text);
    return byRelativeName ? relative(box.workspace, file) : file;
  });

/** Folders beside the workspace holding no Keelson plan (plan --out must refuse them), and names inside it. */
const nearbyPath = () =>
  fc.constantFrom(box.neighbour, join(box.neighbour, 'plan'), box.parent, '..', '.', 'out');

const argument = () =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...FLAGS) },
    { weight: 2, arbitrary: hostileArb },
    { weight: 1, arbitrary: projectFile },
    { weight: 1, arbitrary: nearbyPath() },
    { weight: 1, arbitrary: fc.constantFrom(...FLAGS).chain((f) => hostileArb.map((v) => `${f}=${v}`)) },
  );

/**
 * Guards of the run itself, not of Keelson: `apply --yes` would really deploy to the design's
 * hosts, `apply --dry-run` and `check` contact them, and a value such as `../../x` or `/x` names a place outside the sandbox that a correct
 * `plan --out` writes to because the user asked for it there.
 */
function safe(argv: string[]): string[] {
  const inside = (p: string) => {
    const r = relative(box.parent, resolve(box.workspace, p));
    return !r.startsWith('..') && !isAbsolute(r);
  };
  return argv.map((a, i) => {
    if (i === 0 && a === 'check') return 'validate';
    if (i > 0 && /^-[^-]*y|^--y|^--d/.test(a)) return '--plain';
    const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : a;
    if (a.includes('\0')) return a; // cannot name a file at all
    return inside(a) && inside(value) ? a : 'out';
  });
}

const argvArb = () =>
  fc
    .tuple(
      fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...COMMANDS) }, { weight: 1, arbitrary: hostileArb }),
      fc.option(projectFile, { freq: 4 }),
      fc.array(argument(), { maxLength: 3 }),
    )
    .map(([command, file, args]) => safe([command, ...(file === null ? [] : [file]), ...args]));

/** What a user would see that is a bug: a stack trace, a JS error name, a raw escape sequence. */
function expectWords(text: string, argv: string[]) {
  const shown = JSON.stringify(argv).slice(0, 300);
  expect(text, shown).not.toMatch(STACK_TRACE);
  expect(text, shown).not.toMatch(
    /\b(TypeError|RangeError|ReferenceError|SyntaxError)\b|is not a function|Cannot read propert/,
  );
  expect(text.includes('\x1b') || text.includes('\x9b'), `${shown}: escape sequence printed`).toBe(false);
}

let before: Record<string, string>;
let cases = 0;
const byStatus: Record<number, number> = {};

describe('fuzz: the keelson CLI with hostile values', () => {
  beforeAll(() => {
    ensureBuilt(); // before the chdir: it builds in the repository
    box = makeFuzzSandbox();
    restoreEnv = useEnv(box.env);
    // Relative names are the user's: they mean the folder the CLI runs in, here the workspace.
    process.chdir(box.workspace);
    // As under CI: no terminal to confirm on, so apply stops before any host is contacted.
    Object.defineProperty(process.stdin, 'isTTY', { value: false, configurable: true });
    before = box.outside();
    console.log(`fuzz-cli: seed ${seed} (KEELSON_FUZZ_SEED=${seed} replays this run)`);
  });
  afterAll(() => {
    process.chdir(join(__dirname, '..', '..', '..'));
    restoreEnv();
    box.remove();
  });

  it(`${IN_PROCESS_CASES} runs in process: a status and words, never a crash`, async () => {
    await fc.assert(
      fc.asyncProperty(argvArb(), async (argv) => {
        let out = '';
        let err = '';
        const io = { out: (t: string) => (out += t), err: (t: string) => (err += t), version: '0.0.0-fuzz' };
        const code = await runCli(argv, io);
        cases++;
        byStatus[code] = (byStatus[code] ?? 0) + 1;
        expect([0, 1, 2], JSON.stringify(argv).slice(0, 300)).toContain(code);
        expectWords(out + err, argv);
      }),
      { seed, numRuns: IN_PROCESS_CASES },
    );
    expect(box.outside()).toEqual(before);
    console.log(`fuzz-cli: ${cases} in-process runs, by exit status ${JSON.stringify(byStatus)}`);
  });

  it(`${CHILD_PROCESS_CASES + 2} runs of bin/keelson.mjs: an exit status and words, nothing written outside the workspace`, () => {
    const bin = join(__dirname, '..', '..', '..', 'bin', 'keelson.mjs');
    const samples = fc.sample(argvArb(), { seed: seed + 1, numRuns: CHILD_PROCESS_CASES });
    // One case of every kind always: a hostile file (mostly schema errors) and an odd option.
    samples.push(['plan', join(box.workspace, 'case-0.keelson.yaml'), '--out', '..', '--overwrite']);
    samples.push(['validate', HOSTILE[2]!, '--json']);
    let ran = 0;
    for (const argv of samples) {
      const r = spawnSync(process.execPath, [bin, ...argv.map((a) => a.replaceAll('\0', ''))], {
        cwd: box.workspace,
        env: { ...process.env, ...box.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        encoding: 'utf8',
        timeout: 60_000,
      });
      ran++;
      const shown = JSON.stringify(argv).slice(0, 300);
      expect(r.signal, `${shown}: killed`).toBeNull();
      expect([0, 1, 2], `${shown}: ${r.stderr}`).toContain(r.status);
      expectWords(r.stdout + r.stderr, argv);
    }
    expect(box.outside()).toEqual(before);
    console.log(`fuzz-cli: ${ran} child processes of bin/keelson.mjs`);
  });
});
