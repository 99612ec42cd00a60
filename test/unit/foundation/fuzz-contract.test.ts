/**
 * Bounded, seeded fuzz run of the contract — every procedure of shared/contract, served by the
 * real router (the same code both transports call) — with hostile values: a valid input with
 * one value replaced by a hostile string, junk JSON, a missing or extra field, projects with a
 * hostile value in any string field, export folders next to the workspace. Every call must
 * succeed or fail with a typed error in words: never INTERNAL_SERVER_ERROR ("Internal server
 * error" is what a user would see), never a stack trace, and nothing written outside the
 * workspace. The seed and the number of calls are printed; KEELSON_FUZZ_SEED=N replays.
 *
 * A call whose input passes the contract's schema and would reach a host (SSH, a terminal, a
 * deploy) is not made — these tests talk to no host they did not start — and is counted instead;
 * the same call with an input the schema refuses is made.
 */
import { join } from 'node:path';
import { isContractProcedure } from '@orpc/contract';
import { createRouterClient, ORPCError } from '@orpc/server';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract } from '../../../shared/contract';
import { newServiceContext } from '../../../main/services/context';
import { router } from '../../../main/services/router';
import { hostileArb } from '../support/hostile';
import { fuzzSeed, makeFuzzSandbox, STACK_TRACE, useEnv, type FuzzSandbox } from '../support/fuzz-workspace';
import { STRING_FIELDS, fullProject } from '../support/string-fields';

const CASES = 600;
const seed = fuzzSeed();

/** Procedures that contact a host (or start a shell) once their input is valid. */
const REACHES_OUT = new Set([
  'ssh.testConnection',
  'ssh.run',
  'terminal.open',
  'deploy.start',
  'deploy.retry',
  'deploy.skip',
  'deploy.nodeStart',
  'check.hosts',
]);

const UUID = '3f1c2e4a-9b7d-4c1e-8a2b-5d6e7f809a1b';
const ssh = { address: '127.0.0.1', port: 1, user: 'root', auth: { type: 'agent' } };

/** A valid input of every procedure: the starting point of every mutation. */
function samples(box: FuzzSandbox): Record<string, unknown> {
  return {
    'system.ping': { message: 'hello' },
    'system.info': undefined,
    'system.heartbeat': { count: 1, intervalMs: 1 },
    'ssh.testConnection': { host: ssh },
    'ssh.acceptHostKey': { token: 'A'.repeat(43) },
    'ssh.run': { host: ssh, command: 'true' },
    'ssh.secrets.set': { name: 'lab-vrrp', value: 'secret-value' },
    'ssh.secrets.delete': { name: 'lab-vrrp' },
    'ssh.secrets.names': undefined,
    'workspace.list': undefined,
    'workspace.templates': undefined,
    'workspace.create': { name: 'Made here', templateId: 'keepalived-haproxy' },
    'workspace.open': { id: 'fuzz' },
    'workspace.save': { id: 'fuzz', project: fullProject(), baseVersion: null },
    'workspace.rename': { id: 'made-here', name: 'Renamed' },
    'workspace.delete': { id: 'renamed' },
    'workspace.trash': undefined,
    'workspace.restore': { trashId: 'renamed.2026-11-30T01-02-03-456Z' },
    'workspace.purge': { trashId: 'renamed.2026-11-30T01-02-03-456Z' },
    'workspace.emptyTrash': { trashIds: ['renamed.2026-11-30T01-02-03-456Z'] },
    'plan.generate': { project: fullProject() },
    'plan.export': { id: 'fuzz', folder: join(box.workspace, 'export'), overwrite: false },
    'terminal.open': { kind: 'local', cluster: 'fuzz', cols: 80, rows: 24 },
    'terminal.write': { id: UUID, data: 'ls\r', binary: false },
    'terminal.resize': { id: UUID, cols: 80, rows: 24 },
    'terminal.ack': { id: UUID, bytes: 1024 },
    'terminal.close': { id: UUID },
    'deploy.readiness': { id: 'fuzz' },
    'deploy.start': { id: 'fuzz', resume: false },
    'deploy.watch': { id: 'fuzz' },
    'deploy.cancel': { id: 'fuzz' },
    'deploy.retry': { id: 'fuzz', stepId: 'preflight/cp1' },
    'deploy.skip': { id: 'fuzz', stepId: 'preflight/cp1', note: 'fuzz' },
    'deploy.log': { id: 'fuzz', runId: 'r1', stepId: 'preflight/cp1', from: 0, count: 10 },
    'deploy.kubeconfig.save': { id: 'fuzz', path: join(box.workspace, 'kube.yaml') },
    'deploy.kubeconfig.merge': { id: 'fuzz' },
    'deploy.live': { id: 'fuzz' },
    'deploy.nodePlan': { id: 'fuzz', op: { action: 'drain', node: 'cp1', deleteEmptyDirData: true } },
    'deploy.nodeStart': { id: 'fuzz', op: { action: 'delete', node: 'cp1', dead: true } },
    'check.hosts': { id: 'fuzz' },
    'check.last': { id: 'fuzz' },
  };
}

type Proc = { path: string; schema: { '~standard': { validate(v: unknown): unknown } } | undefined };

function procedures(node: unknown, at: string[] = []): Proc[] {
  if (isContractProcedure(node)) {
    const schema = node['~orpc'].inputSchema as Proc['schema'];
    return [{ path: at.join('.'), schema }];
  }
  return Object.entries(node as Record<string, unknown>).flatMap(([k, v]) => procedures(v, [...at, k]));
}

/** Leaf paths of a JSON value (objects and arrays walked), so a mutation can pick one. */
function leaves(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (v && typeof v === 'object')
    return [
      at,
      ...Object.entries(v).flatMap(([k, x]) => leaves(x, [...at, Array.isArray(v) ? Number(k) : k])),
    ];
  return [at];
}

function setAt(v: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(v) as Record<string | number, unknown>;
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === DELETE) delete node[last];
  else node[last] = value;
  return copy;
}
const DELETE = Symbol('delete');

/** Everything a hostile client could send as one value. */
const junk = fc.oneof(
  { weight: 4, arbitrary: hostileArb },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(DELETE, null, -1, 2 ** 53, 1e308, NaN, true, [], {}) },
);

function inputArb(box: FuzzSandbox, sample: unknown): fc.Arbitrary<unknown> {
  const paths = leaves(sample);
  const hostileProject = fc.tuple(fc.constantFrom(...STRING_FIELDS), hostileArb).map(([field, value]) => {
    const p = fullProject();
    field.set(p, value);
    return p;
  });
  // Non-empty folders beside the workspace that hold no Keelson plan: an export must refuse them.
  const folder = fc.constantFrom(box.neighbour, join(box.neighbour, 'plan'), box.parent);
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(sample) },
    {
      weight: 6,
      arbitrary: fc.tuple(fc.constantFrom(...paths), junk).map(([path, value]) => setAt(sample, path, value)),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...paths), hostileProject)
        .map(([path, p]) =>
          sample && typeof sample === 'object' && 'project' in sample
            ? { ...sample, project: p }
            : setAt(sample, path, p),
        ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(folder, fc.boolean()).map(([f, overwrite]) =>
        sample && typeof sample === 'object' && ('folder' in sample || 'path' in sample)
          ? {
              ...sample,
              ...('folder' in sample ? { folder: f, overwrite } : { path: join(f, 'kubeconfig') }),
            }
          : sample,
      ),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    {
      weight: 1,
      arbitrary: hostileArb.map((v) => (sample && typeof sample === 'object' ? { ...sample, [v]: v } : v)),
    },
  );
}

function call(client: unknown, path: string, input: unknown): Promise<unknown> {
  const fn = path.split('.').reduce((n, k) => (n as Record<string, unknown>)[k], client) as (
    i: unknown,
  ) => Promise<unknown>;
  return fn(input);
}

/** Streams are read a little, then let go: the shape of the result is what is checked. */
async function drain(result: unknown): Promise<void> {
  if (!result || typeof result !== 'object' || !(Symbol.asyncIterator in result)) return;
  const it = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  for (let i = 0; i < 3; i++) if ((await it.next()).done) return;
  await it.return?.();
}

/** A path a sandboxed call may not name: anything outside the sandbox's parent. */
function outsideSandbox(box: FuzzSandbox, input: unknown): boolean {
  const text = JSON.stringify(input ?? null);
  return /"(folder|path)":"\//.test(text) && !text.includes(box.parent);
}

let box: FuzzSandbox;
let restoreEnv: () => void;

describe('fuzz: the contract with hostile values', () => {
  beforeAll(async () => {
    box = makeFuzzSandbox();
    restoreEnv = useEnv(box.env);
    process.chdir(box.cwd); // a relative path written to would land outside the workspace
    const client = createRouterClient(router, { context: newServiceContext('in-process', 'browser') });
    await client.workspace.create({ name: 'fuzz', templateId: 'keepalived-haproxy' });
    console.log(`fuzz-contract: seed ${seed} (KEELSON_FUZZ_SEED=${seed} replays this run)`);
  });
  afterAll(() => {
    process.chdir(join(__dirname, '..', '..', '..'));
    restoreEnv();
    box.remove();
  });

  it('every procedure has a sample input to start from', () => {
    expect(
      procedures(contract)
        .map((p) => p.path)
        .sort(),
    ).toEqual(Object.keys(samples(box)).sort());
  });

  it(`${CASES} calls: a result or a typed error in words, nothing written outside the workspace`, async () => {
    const procs = procedures(contract);
    const starts = samples(box);
    const before = box.outside();
    const tally = { calls: 0, ok: 0, refused: 0, notMade: 0 };
    const codes: Record<string, number> = {};
    const client = createRouterClient(router, { context: newServiceContext('in-process', 'browser') });
    const caseArb = fc
      .constantFrom(...procs)
      .chain((p) => inputArb(box, starts[p.path]).map((input) => ({ p, input })));
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ p, input }) => {
        const valid = !((await p.schema?.['~standard'].validate(input)) as { issues?: unknown } | undefined)
          ?.issues;
        if ((valid && REACHES_OUT.has(p.path)) || outsideSandbox(box, input)) {
          tally.notMade++;
          return;
        }
        tally.calls++;
        const shown = `${p.path}(${JSON.stringify(input)?.slice(0, 300)})`;
        try {
          await drain(await call(client, p.path, input));
          tally.ok++;
        } catch (error) {
          tally.refused++;
          expect(error, `${shown}: ${String(error)}`).toBeInstanceOf(ORPCError);
          const e = error as ORPCError<string, unknown>;
          codes[e.code] = (codes[e.code] ?? 0) + 1;
          expect(e.code, `${shown}: ${e.message} ${String((e.cause as Error)?.stack)}`).not.toBe(
            'INTERNAL_SERVER_ERROR',
          );
          expect(`${e.message}\n${JSON.stringify(e.data) ?? ''}`, shown).not.toMatch(STACK_TRACE);
        }
      }),
      { seed, numRuns: CASES },
    );
    expect(box.outside()).toEqual(before);
    console.log(
      `fuzz-contract: ${CASES} cases over ${procs.length} procedures: ${tally.calls} calls (${tally.ok} ok, ${tally.refused} refused ${JSON.stringify(codes)}), ${tally.notMade} not made (valid input that would reach a host)`,
    );
  });
});
