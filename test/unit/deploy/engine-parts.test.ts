import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { longestPath, remainingPath } from '../../../shared/deploy/graph';
import { hintFor } from '../../../shared/deploy/hints';
import { blockedSteps, etaMs, reduceRun } from '../../../shared/deploy/state';
import type { DeployEvent } from '../../../shared/deploy/events';
import { JournalWriter, parseJournal, readJournal } from '../../../main/services/deploy/journal';
import { LineSplitter } from '../../../main/services/deploy/lines';
import { LogReader, StepLog } from '../../../main/services/deploy/logs';
import { fillAll, MissingPlaceholders } from '../../../main/services/deploy/placeholders';
import { parseOutputs } from '../../../main/services/deploy/remote';
import { acquireLock, RunLockedError, stateDirFor } from '../../../main/services/deploy/state-dir';

const dir = mkdtempSync(join(tmpdir(), 'keelson-deploy-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('journal', () => {
  it('survives a torn last line (killed mid-write) and says which step was interrupted', async () => {
    const path = join(dir, 'journal.jsonl');
    const w = await JournalWriter.open(path);
    await w.append({
      t: 'run',
      v: 1,
      runId: 'r',
      cluster: 'c',
      planHash: 'h',
      keelsonVersion: 'x',
      at: 1,
      steps: 2,
    });
    await w.append({ t: 'session', n: 1, mode: 'start', at: 1, pid: 1 });
    await w.append({ t: 'attempt', step: 'a', host: 'h1', attempt: 1, at: 2 });
    await w.append({ t: 'step', step: 'a', host: 'h1', status: 'done', start: 2, end: 3, log: 'logs/a.log' });
    await w.append({ t: 'attempt', step: 'b', host: 'h1', attempt: 1, at: 4 });
    await w.close();
    writeFileSync(path, '{"t":"step","step":"b","host":"h1","sta', { flag: 'a' });
    const j = await readJournal(path);
    expect(j.steps.get('a')?.status).toBe('done');
    expect(j.interrupted).toEqual(['b']);
    expect(j.ended).toBeUndefined();
  });

  it('refuses a journal damaged in the middle, naming the line', () => {
    const text = '{"t":"run","v":1}\nnot json\n{"t":"session","n":1}\n';
    expect(() => parseJournal(text, 'j.jsonl')).toThrow('j.jsonl:2: not a journal record');
  });
});

describe('placeholders', () => {
  it('fills secrets and values, and lists every missing one at once', () => {
    const values = {
      secret: (n: string) => (n === 's' ? 'S3cret' : undefined),
      value: (n: string) => (n === 'v' ? 'V' : undefined),
    };
    expect(fillAll(['a {{secret:s}} {{value:v}}'], values)).toEqual(['a S3cret V']);
    expect(() => fillAll(['{{secret:x}} {{value:y}}'], values)).toThrow(MissingPlaceholders);
    expect(() => fillAll(['{{secret:x}} {{value:y}}'], values)).toThrow('secret "x", value "y"');
  });

  it('reads outputs as NAME BASE64 lines; a dash means not written', () => {
    const b64 = Buffer.from('line1\nline2').toString('base64');
    expect(parseOutputs(`tok ${b64}\nmissing -\n`)).toEqual(
      new Map([
        ['tok', 'line1\nline2'],
        ['missing', undefined],
      ]),
    );
  });
});

describe('hints', () => {
  it('names the port for a port-in-use failure and the cause for known kubeadm errors', () => {
    expect(hintFor(['keelson: TCP port 6443 is in use: LISTEN 0 511 *:6443 users:(("node",pid=1))'])).toMatch(
      /already listens on port 6443/,
    );
    expect(hintFor(['[ERROR Swap]: running with swap on is not supported'])).toMatch(/swapoff -a/);
    expect(hintFor(['E: Could not get lock /var/lib/dpkg/lock-frontend'])).toMatch(/unattended-upgrades/);
    expect(hintFor([], 'cp1 unreachable: connection lost')).toMatch(/Resume/);
    // Flannel's own log line from the first real lab cluster, printed by the failed CNI step.
    const flannel =
      'E1130 03:49:36.821095 1 main.go:250] Failed to create SubnetManager: error retrieving pod spec for ' +
      "'kube-flannel/kube-flannel-ds-8jr7h': Get \"https://10.96.0.1:443/api/v1/namespaces/kube-flannel/pods/" +
      'kube-flannel-ds-8jr7h": dial tcp 10.96.0.1:443: connect: network is unreachable';
    expect(hintFor([flannel], 'cp1: Flannel did not roll out')).toMatch(
      /Service at 10\.96\.0\.1.*default route/,
    );
    expect(hintFor(['keelson: no route to the Service network (10.112.0.1): pods…'])).toMatch(
      /at 10\.112\.0\.1/,
    );
    expect(hintFor(['all good'])).toBeUndefined();
  });
});

describe('graph and run state', () => {
  const steps = [
    { id: 'a', dependsOn: [] },
    { id: 'b', dependsOn: ['a'] },
    { id: 'c', dependsOn: ['a'] },
    { id: 'd', dependsOn: ['b', 'c'] },
  ];
  const w: Record<string, number> = { a: 1, b: 5, c: 2, d: 1 };

  it('finds the critical path and each step’s remaining path', () => {
    expect(longestPath(steps, (id) => w[id]!)).toEqual({ total: 7, chain: ['a', 'b', 'd'] });
    expect(remainingPath(steps, (id) => w[id]!).get('a')).toBe(7);
    expect(remainingPath(steps, (id) => w[id]!).get('c')).toBe(3);
  });

  it('blocks what depends on a failure, transitively', () => {
    expect(
      blockedSteps([
        { id: 'a', dependsOn: [], status: 'done' },
        { id: 'b', dependsOn: ['a'], status: 'failed' },
        { id: 'c', dependsOn: ['a'], status: 'done' },
        { id: 'd', dependsOn: ['b', 'c'], status: 'pending' },
      ]),
    ).toEqual(['d']);
  });

  it('folds events into the view every consumer shows, and the ETA shrinks as steps finish', () => {
    const info = (id: string, deps: string[]) => ({
      id,
      phase: 'preflight' as const,
      host: 'h1',
      description: id,
      dependsOn: deps,
      timeoutSeconds: 60,
      estimateMs: 10_000,
    });
    const events: DeployEvent[] = [
      {
        type: 'run-started',
        runId: 'r',
        cluster: 'c',
        planHash: 'h',
        session: 1,
        mode: 'start',
        at: 0,
        phases: [{ id: 'preflight', title: 'Preflight', parallel: true }],
        hosts: ['h1'],
        steps: [info('a', []), info('b', ['a'])],
        previous: [],
      },
    ];
    let view = events.reduce(reduceRun, undefined)!;
    expect(etaMs(view, 0)).toBe(20_000);
    view = reduceRun(view, { type: 'step-started', stepId: 'a', host: 'h1', attempt: 1, at: 0 })!;
    view = reduceRun(view, {
      type: 'step-output',
      stepId: 'a',
      host: 'h1',
      stream: 'stdout',
      first: 0,
      lines: ['x', 'y'],
    })!;
    view = reduceRun(view, {
      type: 'step-ended',
      stepId: 'a',
      host: 'h1',
      status: 'done',
      at: 2_000,
      durationMs: 2_000,
    })!;
    expect(view.steps[0]).toMatchObject({ status: 'done', lineCount: 2, tail: ['x', 'y'] });
    // The measured 2 s replaces the 10 s guess for the rest of the phase.
    expect(etaMs(view, 2_000)).toBe(2_000);
  });
});

describe('logs', () => {
  it('splits chunks into whole lines, across chunk and UTF-8 boundaries', () => {
    const s = new LineSplitter();
    const euro = Buffer.from('€');
    expect(s.push(Buffer.concat([Buffer.from('ab'), euro.subarray(0, 1)]))).toEqual([]);
    expect(s.push(Buffer.concat([euro.subarray(1), Buffer.from('c\nsec')]))).toEqual(['ab€c']);
    expect(s.push(Buffer.from('ret\r\nprogress 1%\rprogress 2%\n'))).toEqual([
      'secret',
      'progress 1%',
      'progress 2%',
    ]);
    expect(s.end()).toEqual([]);
  });

  it('reads any range of a large log through a sparse index', async () => {
    const path = join(dir, 'big.log');
    const log = await StepLog.open(path);
    for (let i = 0; i < 5000; i++) log.write([`line ${i}`]);
    await log.close();
    const reader = new LogReader();
    expect(await reader.read(path, 4097, 3)).toEqual({
      lines: ['line 4097', 'line 4098', 'line 4099'],
      total: 5000,
    });
    expect((await reader.read(path, 4998, 10)).lines).toEqual(['line 4998', 'line 4999']);
    const more = await StepLog.open(path);
    expect(more.lineCount).toBe(5000);
    expect(more.write(['line 5000'])).toBe(5000);
    await more.close();
    expect(await reader.read(path, 5000, 1)).toEqual({ lines: ['line 5000'], total: 5001 });
  });
});

describe('state folder', () => {
  it('lives beside the project file', () => {
    expect(stateDirFor('/w/prod.keelson.yaml')).toBe('/w/prod.deploy');
  });

  it('lets one run hold a cluster, and takes over a lock whose process is gone', async () => {
    const state = join(dir, 'locked.deploy');
    const release = await acquireLock(state);
    await expect(acquireLock(state)).rejects.toThrow(RunLockedError);
    await release();
    writeFileSync(join(state, 'lock'), JSON.stringify({ pid: 2 ** 22 + 12345, start: '1' }));
    const again = await acquireLock(state);
    await again();
  });
});

describe('cancelling work that has already started', () => {
  it('an abort before the work settles never leaves an unhandled rejection behind (Ctrl-C during a probe)', async () => {
    const { abortable } = await import('../../../main/services/ssh/stream-exec');
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    // The work fails later, after the caller was already told "cancelled".
    const work = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('channel closed')), 10));
    await expect(abortable(work, controller.signal)).rejects.toThrow('cancelled');
    await new Promise((r) => setTimeout(r, 30));
  });
});
