// The generated drain script, run by bash against a stand-in kubectl (named so: no cluster here;
// the real-cluster day-2 suite drains a real worker). What matters is how it reads kubectl's exit.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { nodeOperationPlan } from '../../../shared/plan/day2/operations';
import { project } from './fixtures';

const bin = mkdtempSync(join(tmpdir(), 'keelson-drain-standin-'));
afterAll(() => rmSync(bin, { recursive: true, force: true }));

const design = project({ pattern: 'keepalived-haproxy', version: '1.37' });
const drain = nodeOperationPlan(design, { action: 'drain', node: 'w1' }, { keelsonVersion: 't' }).plan
  .phases[0]!.steps[0]!;

/** A stand-in kubectl: `drain` prints `drainOutput` and exits `drainExit`; pods left and cordon as given. */
function runDrain(drainExit: number, podsLeft: string, cordoned: string) {
  writeFileSync(
    join(bin, 'kubectl'),
    [
      '#!/bin/bash',
      'args="$*"',
      'case "$args" in',
      `  *" drain "*) touch "${bin}/drained"; echo 'pod/web-1 evicted'; echo 'error when evicting pods/"web-2": connection reset by peer' >&2; exit ${drainExit};;`,
      `  *"get pods"*"status.phase"*) [ -f "${bin}/drained" ] && printf '%s' ${JSON.stringify(podsLeft)} || printf 'default/web-1 ReplicaSet\\ndefault/web-2 ReplicaSet\\n';;`,
      '  *"get pods"*) printf "DaemonSet\\n";;',
      `  *"get node"*) echo ${JSON.stringify(cordoned)};;`,
      'esac',
    ].join('\n'),
  );
  chmodSync(join(bin, 'kubectl'), 0o755);
  // The pods are on the node until the drain has run.
  writeFileSync(join(bin, 'drained'), '');
  rmSync(join(bin, 'drained'));
  return spawnSync('bash', ['-c', drain.script], { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: 'utf8' });
}

describe('the drain script', () => {
  test('kubectl lost an eviction’s answer, but the node is cordoned and empty: drained', () => {
    const r = runDrain(1, '', 'true');
    expect(r.stdout).toContain(
      'kubectl drain exited 1, but w1 is cordoned and has no pod left to move: drained',
    );
    expect(r.status).toBe(0);
  });

  test('pods still on the node: it fails and names them', () => {
    const r = runDrain(1, 'default/web-2 ReplicaSet\n', 'true');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the drain of w1 did not finish (kubectl exit 1, 1 pods still to move)');
  });

  test('not cordoned: it fails even with no pod left', () => {
    const r = runDrain(1, '', 'false');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the drain of w1 did not finish (kubectl exit 1, 0 pods still to move)');
  });
});
