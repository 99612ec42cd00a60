// A real Kubernetes cluster in the lab, brought up by Keelson itself: kubelet-capable lab hosts,
// a shipped template bound to them (`bindTemplate`), the offline bundle served by Keelson and
// tunnelled to every host, and the plan run by the deploy engine over SSH — the same engine, plan
// and bundle server a user runs. Only what kubelet-host.ts names is lab-specific.
import { cpSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBundleServer, type BundleServer } from '../../../main/services/bundle/server';
import { bundleTunnels } from '../../../main/services/bundle/tunnel';
import { secretsFolder, type FileSecretStore } from '../../../main/services/deploy/secrets';
import { workspaceFolder } from '../../../main/services/workspace/folder';
import { openDeploy } from '../../../main/services/deploy/service';
import { SshEngine } from '../../../main/services/ssh/engine';
import type { ClusterProject } from '../../../shared/model/cluster';
import { parseProject, serializeProject } from '../../../shared/model/parse';
import type { Plan } from '../../../shared/plan/types';
import { ADMIN_KUBECONFIG_SECRET } from '../../../shared/plan/post-install';
import { DEFAULT_BUNDLE_PORT } from '../../../shared/plan/mirror';
import { validateCluster } from '../../../shared/validation';
import { startLab, type Lab, type LabOptions } from '../lab';
import { buildBundle } from './bundle';

const TEMPLATES = fileURLToPath(new URL('../../../resources/templates/', import.meta.url));
/** The lab's sudo password lives under this secret name in the cluster's secret store. */
export const LAB_SUDO_SECRET = 'lab-deploy-sudo';
/** The Keelson version lab plans are made with (it is written into the topology ConfigMap). */
export const LAB_KEELSON_VERSION = 'lab';

export function loadTemplate(name: string): ClusterProject {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`lab: "${name}" is not a template name`);
  const text = readFileSync(join(TEMPLATES, `${name}.keelson.yaml`), 'utf8');
  const parsed = parseProject(text, `${name}.keelson.yaml`);
  if (!parsed.ok) throw new Error(`lab: template ${name} does not parse: ${JSON.stringify(parsed.errors)}`);
  return parsed.project;
}

/** An address of the template's 10.77.0.0/24 moved into the lab's own 10.77.K.0/24. */
const intoSlot = (address: string, slot: number): string => address.replace(/^10\.77\.0\./, `10.77.${slot}.`);

/**
 * The template as a user would fill it in for these lab hosts: their addresses, the non-root
 * `deploy` user with the lab key and sudo password, packages from the bundle Keelson serves,
 * Flannel (the CNI the bundle carries), and cgroup v1 allowed — this kernel has no cgroup v2.
 */
export function bindTemplate(template: ClusterProject, lab: Lab): ClusterProject {
  const project = structuredClone(template);
  const spec = project.spec;
  for (const host of spec.hosts) {
    const labHost = lab.host(host.name);
    host.address = labHost.address;
    host.ssh = {
      ...host.ssh,
      port: labHost.sshPort,
      user: labHost.user,
      auth: { type: 'key', keyFile: lab.keyPath },
      sudoPasswordRef: LAB_SUDO_SECRET,
    };
  }
  if (spec.apiEndpoint.vip) spec.apiEndpoint.vip = intoSlot(spec.apiEndpoint.vip, lab.slot);
  spec.packages = { ...spec.packages, source: 'bundle' };
  spec.networking = { ...spec.networking, cni: 'flannel' };
  spec.kubelet = { ...spec.kubelet, allowCgroupV1: true };
  return project;
}

export interface LabCluster {
  lab: Lab;
  project: ClusterProject;
  plan: Plan;
  /** Admin kubeconfig whose server is the cluster's endpoint (through the VIP / LB). */
  kubeconfig: string;
  stateDir: string;
  projectFile: string;
  /** The environment the deploy ran with (its KEELSON_HOME holds the cluster's kept secrets). */
  env: NodeJS.ProcessEnv;
  bundle: BundleServer;
  ssh: SshEngine;
  /** The cluster's files: the bound project, the deploy state, the secret store. */
  dir: string;
  stop(): Promise<void>;
}

export interface LabClusterOptions {
  template: string;
  version?: string;
  log?: (line: string) => void;
  /** Extra lab options (e.g. a bastion). */
  lab?: Partial<LabOptions>;
}

/** Template hosts whose SSH goes through a bastion become bastion-only lab hosts. */
function bastions(template: ClusterProject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of template.spec.hosts) if (h.ssh.via) out[h.name] = h.ssh.via;
  return out;
}

export async function startLabCluster(options: LabClusterOptions): Promise<LabCluster> {
  const log = options.log ?? (() => undefined);
  const template = loadTemplate(options.template);
  const bundleDir = await buildBundle(options.version, log);
  const lab = await startLab({
    hosts: template.spec.hosts.map((h) => h.name),
    behindBastion: bastions(template),
    kubelet: true,
    kind: 'cluster',
    // Five hosts booting beside other work on 2 cores: 120 s was seen to be too little.
    bootTimeoutSeconds: 600,
    log,
    ...options.lab,
  });
  let bundle: BundleServer | undefined;
  const ssh = new SshEngine({
    knownHostsFile: join(lab.stateDir, 'keelson-known_hosts'),
    readOnlyKnownHosts: [lab.knownHostsPath],
  });
  const stop = async () => {
    ssh.closeAll();
    await bundle?.close().catch(() => undefined);
    await lab.stop();
  };
  try {
    // A real site's hosts come with their OS repositories configured; the lab's is its offline one.
    await Promise.all(lab.hosts.map((h) => lab.useOfflineRepository(h.name)));
    const project = bindTemplate(template, lab);
    const findings = validateCluster(project).filter((f) => f.severity === 'error');
    if (findings.length)
      throw new Error(
        `lab: the bound ${options.template} has errors: ${findings.map((f) => f.message).join('; ')}`,
      );
    const dir = join(lab.stateDir, 'cluster');
    // The deploy goes through the entry the app and `keelson apply` share: state beside the
    // project, Keelson's own secrets kept in this cluster's KEELSON_HOME (not the user's). The
    // project sits in that home's workspace, so the app served with it opens this very cluster.
    const env = { ...process.env, KEELSON_HOME: join(dir, 'home') };
    mkdirSync(workspaceFolder(env), { recursive: true });
    const projectFile = join(workspaceFolder(env), `${options.template}.keelson.yaml`);
    writeFileSync(projectFile, serializeProject(project));
    bundle = await startBundleServer({ dir: bundleDir, workDir: join(dir, 'bundle-server') });
    const started = Date.now();
    const opened = await openDeploy({
      projectFile,
      project,
      ssh,
      keelsonVersion: LAB_KEELSON_VERSION,
      entered: { [LAB_SUDO_SECRET]: lab.hosts[0]!.password },
      services: bundleTunnels(bundle, project.spec.packages.bundlePort ?? DEFAULT_BUNDLE_PORT),
      env,
      listener: (event) => {
        if (event.type === 'step-ended')
          log(`${event.stepId}: ${event.status}${event.error ? ` — ${event.error}` : ''}`);
      },
    });
    const { plan, stateDir } = opened;
    const status = await opened.settled;
    log(
      `deploy ${status} in ${((Date.now() - started) / 1000).toFixed(0)} s (run ${opened.run.runId}, journal in ${stateDir})`,
    );
    if (status !== 'succeeded') {
      const kept = await keepDiagnostics(lab, dir, options.template, secretsFolder(env));
      throw new Error(
        `lab: the deploy of ${options.template} ended ${status}; journal, logs and host diagnostics kept in ${kept}`,
      );
    }
    const kubeconfig = join(dir, 'admin.kubeconfig');
    await exportAdminKubeconfig(opened.secrets, kubeconfig);
    return { lab, project, projectFile, plan, kubeconfig, stateDir, bundle, ssh, dir, env, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The kubeconfig the deploy handed over (post-install's output, kept in the cluster's secret
 * store), exactly what `keelson apply` and the app save for a user: its server is the endpoint a
 * workstation can reach (for node-local, a control plane rather than the nodes' local name).
 */
async function exportAdminKubeconfig(secrets: FileSecretStore, out: string): Promise<void> {
  const text = await secrets.get(ADMIN_KUBECONFIG_SECRET);
  if (!text) throw new Error('lab: the deploy succeeded but handed over no admin kubeconfig');
  writeFileSync(`${out}.tmp`, text, { mode: 0o600 });
  renameSync(`${out}.tmp`, out);
}

/**
 * The lab goes when its owner does, and with it the journal: copy the cluster's files (never its
 * KEELSON_HOME, where the secrets are kept) and what each host's kubelet and containerd said, so a failed run can be read.
 */
async function keepDiagnostics(lab: Lab, dir: string, template: string, secrets: string): Promise<string> {
  const kept = join(
    tmpdir(),
    `keelson-lab-failed-${template}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
  );
  cpSync(dir, kept, {
    recursive: true,
    filter: (src) => src !== secrets && !src.includes('bundle-server'),
  });
  const commands =
    'journalctl -u kubelet -n 300 --no-pager; echo; journalctl -u containerd -n 100 --no-pager; echo; ' +
    'crictl --runtime-endpoint unix:///run/containerd/containerd.sock ps -a 2>&1; echo; ip route; df -h /';
  for (const host of lab.hosts) {
    const result = await lab.exec(host.name, commands, { timeoutMs: 60_000 }).catch((err: Error) => ({
      stdout: '',
      stderr: err.message,
    }));
    writeFileSync(join(kept, `host-${host.name}.txt`), `${result.stdout}\n${result.stderr}`);
  }
  return kept;
}
