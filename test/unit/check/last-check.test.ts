// The latest host check outlives the app: a restarted Keelson still shows it and the Deploy button
// still refuses red without a reason, until the design changes (then the check is stale).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { readLastCheck, writeLastCheck } from '../../../main/services/check/last-check';
import { planHash } from '../../../main/services/deploy/engine';
import { DeployRuns } from '../../../main/services/deploy/runs';
import { deployPlan } from '../../../main/services/deploy/service';
import { stateDirFor } from '../../../main/services/deploy/state-dir';
import { SshEngine } from '../../../main/services/ssh/engine';
import type { CheckReport } from '../../../shared/check/report';
import { parseProject } from '../../../shared/model/parse';
import { KEELSON_VERSION } from '../../../shared/version';

const homes: string[] = [];
afterEach(() => {
  for (const d of homes.splice(0)) rmSync(d, { recursive: true, force: true });
});

const report = (status: 'red' | 'green'): CheckReport =>
  ({
    hosts: ['cp1'],
    results: [{ host: 'cp1', check: 'ports', status, detail: 'TCP port 6443 is in use', fix: 'stop it' }],
    reach: null,
    verdict: status,
  }) as unknown as CheckReport;

function workspace(): { env: NodeJS.ProcessEnv; file: string } {
  const home = mkdtempSync(join(tmpdir(), 'keelson-last-check-'));
  homes.push(home);
  const folder = join(home, 'workspace');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, 'lab.keelson.yaml');
  copyFileSync(
    new URL('../../../resources/templates/keepalived-haproxy.keelson.yaml', import.meta.url),
    file,
  );
  return { env: { ...process.env, KEELSON_HOME: home }, file };
}

const hashOf = (file: string) => {
  const parsed = parseProject(readFileSync(file, 'utf8'), file);
  if (!parsed.ok) throw new Error('template does not parse');
  return planHash(deployPlan(parsed.project, { keelsonVersion: KEELSON_VERSION }));
};

it('a restarted app reads the last check of the design it checked, and refuses to deploy on its red', async () => {
  const { env, file } = workspace();
  await writeLastCheck(stateDirFor(file), { report: report('red'), planHash: hashOf(file) });
  const ssh = new SshEngine({ knownHostsFile: join(env.KEELSON_HOME!, 'known_hosts') });
  try {
    const runs = new DeployRuns(ssh, env);
    expect((await runs.lastCheck('lab'))?.results[0]).toMatchObject({ status: 'red', check: 'ports' });
    const noSecrets = { get: () => undefined, child: () => noSecrets, clear: () => undefined } as never;
    await expect(runs.start('lab', noSecrets, {})).rejects.toThrow(
      /the host check found 1 red item \(cp1 ports\)/,
    );
  } finally {
    ssh.closeAll();
  }
});

it('a changed design makes the kept check stale; a damaged file counts as no check', async () => {
  const { env, file } = workspace();
  const stateDir = stateDirFor(file);
  await writeLastCheck(stateDir, { report: report('red'), planHash: 'not-this-design' });
  const ssh = new SshEngine({ knownHostsFile: join(env.KEELSON_HOME!, 'known_hosts') });
  try {
    expect(await new DeployRuns(ssh, env).lastCheck('lab')).toBeNull();
    writeFileSync(join(stateDir, 'last-check.json'), '{"planHash": 3');
    expect(await readLastCheck(stateDir)).toBeUndefined();
    expect(await new DeployRuns(ssh, env).lastCheck('lab')).toBeNull();
  } finally {
    ssh.closeAll();
  }
});
