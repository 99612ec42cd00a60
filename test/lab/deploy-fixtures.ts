// What the deploy engine's lab tests share: a project bound to lab hosts, an SSH engine that
// trusts the lab's host keys, a run driven to its end with every event kept, and
// `apiserver-standin` (test/support/apiserver-standin.mjs — NOT a Kubernetes API server) staged
// on a host so a purpose-made plan step can start it.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeployEvent } from '../../shared/deploy/events';
import { API_VERSION, ClusterProject } from '../../shared/model/cluster';
import type { Plan, PlanStep } from '../../shared/plan/types';
import { DeployRun, type DeployOptions, type SessionRequest } from '../../main/services/deploy/engine';
import { FileSecretStore, LayeredSecrets } from '../../main/services/deploy/secrets';
import type { RunServices } from '../../main/services/deploy/run-services';
import { SshEngine } from '../../main/services/ssh/engine';
import { SshConfigFile } from '../../main/services/ssh/ssh-config';
import type { Lab } from './lab';
import { labHostsOnCgroupV1 } from './project';
import { sq, writeLabFile } from './plan-runner';

export const STANDIN_UNIT = 'apiserver-standin';
const STANDIN_DIR = '/opt/keelson-test/apiserver-standin';
const STANDIN_SCRIPT = fileURLToPath(new URL('../support/apiserver-standin.mjs', import.meta.url));

/** A project over the lab's hosts; `deployUser` hosts log in as `deploy` and sudo with its password. */
export function labProject(
  lab: Lab,
  spec: { roles: Record<string, string[]>; deployUser?: string[]; apiEndpoint: Record<string, unknown> },
): ClusterProject {
  return ClusterProject.parse({
    apiVersion: API_VERSION,
    kind: 'Cluster',
    metadata: { name: 'lab-deploy' },
    spec: {
      kubernetesVersion: '1.35',
      hosts: lab.hosts
        .filter((h) => spec.roles[h.name])
        .map((h) => ({
          name: h.name,
          address: h.address,
          roles: spec.roles[h.name],
          ssh: spec.deployUser?.includes(h.name)
            ? {
                port: h.sshPort,
                user: h.user,
                auth: { type: 'key', keyFile: lab.keyPath },
                sudoPasswordRef: 'lab-sudo',
              }
            : { port: h.sshPort, user: 'root', auth: { type: 'key', keyFile: lab.keyPath } },
        })),
      apiEndpoint: spec.apiEndpoint,
      kubelet: { allowCgroupV1: labHostsOnCgroupV1() },
    },
  });
}

/** The SSH engine a user would have, trusting the lab's host keys as ~/.ssh/known_hosts would. */
export function labSsh(lab: Lab, work: string, logs?: string[]): SshEngine {
  return new SshEngine({
    knownHostsFile: join(work, 'known_hosts'),
    readOnlyKnownHosts: [lab.knownHostsPath],
    sshConfig: SshConfigFile.empty(),
    ...(logs ? { logSink: (level, line) => logs.push(`${level} ${line}`) } : {}),
  });
}

/** The lab's offline apt repository as each host's only source — the hook the offline bundle uses too. */
export function offlineRepository(lab: Lab): RunServices & { prepared: string[] } {
  const prepared: string[] = [];
  return {
    prepared,
    async beforeHost(host, session) {
      const r = await session.sh(
        `echo ${sq(lab.aptSourceLine())} > /etc/apt/sources.list.d/keelson-lab.list`,
      );
      if (r.code !== 0) throw new Error(`cannot point ${host} at the lab repository: ${r.stderr}`);
      prepared.push(host);
    },
    dispose: async () => undefined,
  };
}

export interface Recorded {
  run: DeployRun;
  events: DeployEvent[];
}

/** Opens a session and keeps every event it emits. */
export async function openRun(options: DeployOptions, request?: SessionRequest): Promise<Recorded> {
  const events: DeployEvent[] = [];
  const run = await DeployRun.open(options, request, (e) => events.push(e));
  return { run, events };
}

/** Secrets the way the app keeps them: entered values in memory, Keelson's own in a 0600 file. */
export function testSecrets(ssh: SshEngine, work: string, entered: Record<string, string> = {}) {
  const file = new FileSecretStore(join(work, 'secrets', 'lab-deploy.json'), undefined, (v) =>
    ssh.redactor.register(v),
  );
  return { file, provider: new LayeredSecrets({ get: (n) => entered[n] }, file) };
}

/** Keeps only these phases (dependencies on left-out phases count as done, as with --only). */
export function onlyPhases(plan: Plan, phases: string[]): Plan {
  return { ...plan, phases: plan.phases.filter((p) => phases.includes(p.id)) };
}

/** Adds purpose-made steps to a phase (before its own steps) and makes `before` steps wait for them. */
export function withSteps(
  plan: Plan,
  phase: string,
  steps: PlanStep[],
  before: (s: PlanStep) => string[] = () => [],
): Plan {
  return {
    ...plan,
    phases: plan.phases.map((p) =>
      p.id !== phase
        ? p
        : {
            ...p,
            steps: [
              ...steps,
              ...p.steps.map((s) => ({ ...s, dependsOn: [...new Set([...s.dependsOn, ...before(s)])] })),
            ],
          },
    ),
  };
}

/** A purpose-made step (not from the generator), named for what it proves. */
export function testStep(s: Partial<PlanStep> & Pick<PlanStep, 'id' | 'host' | 'script'>): PlanStep {
  return {
    phase: 'load-balancer',
    description: `test step ${s.id}`,
    files: [],
    timeoutSeconds: 60,
    dependsOn: [],
    secrets: [...(s.script + (s.check ?? '')).matchAll(/\{\{secret:([A-Za-z0-9._-]+)\}\}/g)].map(
      (m) => m[1]!,
    ),
    ...s,
  } as PlanStep;
}

/** Installs apiserver-standin and its unit on a host without starting it (a plan step starts it). */
export async function stageApiserverStandin(lab: Lab, host: string, certDir: string): Promise<void> {
  const root = `/proc/${lab.host(host).pid}/root`;
  mkdirSync(`${root}${STANDIN_DIR}`, { recursive: true });
  copyFileSync(process.execPath, `${root}/usr/local/bin/node`);
  await lab.sh(host, 'chmod 0755 /usr/local/bin/node');
  await writeLabFile(
    lab,
    host,
    `${STANDIN_DIR}/apiserver-standin.mjs`,
    readFileSync(STANDIN_SCRIPT, 'utf8'),
    '0644',
  );
  await writeLabFile(
    lab,
    host,
    `${STANDIN_DIR}/tls.crt`,
    readFileSync(join(certDir, 'tls.crt'), 'utf8'),
    '0644',
  );
  await writeLabFile(
    lab,
    host,
    `${STANDIN_DIR}/tls.key`,
    readFileSync(join(certDir, 'tls.key'), 'utf8'),
    '0600',
  );
  await writeLabFile(
    lab,
    host,
    `/etc/systemd/system/${STANDIN_UNIT}.service`,
    [
      '[Unit]',
      'Description=apiserver-standin (test stand-in, NOT a Kubernetes API server)',
      '[Service]',
      `ExecStart=/usr/local/bin/node ${STANDIN_DIR}/apiserver-standin.mjs --name ${host} --cert ${STANDIN_DIR}/tls.crt --key ${STANDIN_DIR}/tls.key --port 6443`,
      '',
    ].join('\n'),
    '0644',
  );
  await lab.sh(host, 'systemctl daemon-reload');
}

/** The purpose-made step that starts the staged stand-in where an apiserver would run. */
export function standinStep(host: string, dependsOn: string[]): PlanStep {
  return testStep({
    id: `load-balancer/apiserver-standin/${host}`,
    host,
    description: `start apiserver-standin on ${host}:6443 (test stand-in, NOT a Kubernetes API server)`,
    script: [
      'set -euo pipefail',
      `systemctl start ${STANDIN_UNIT}`,
      'for i in $(seq 1 100); do curl -sfk --max-time 1 https://127.0.0.1:6443/healthz >/dev/null && exit 0; sleep 0.1; done',
      'echo "keelson: apiserver-standin did not answer on :6443" >&2; exit 1',
    ].join('\n'),
    check: `systemctl is-active --quiet ${STANDIN_UNIT}`,
    dependsOn,
  });
}

export function tempWork(): string {
  return mkdtempSync(join(tmpdir(), 'keelson-deploy-lab-'));
}
