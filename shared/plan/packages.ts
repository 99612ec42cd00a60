import type { Host } from '../model/cluster';
import { KEELSON_DIR, type OsFamily, type PlanContext } from './context';
import { aptUri, dnfUrl } from './escape';
import { FAIL_FUNCTION, bashScript, shq } from './shell';
import { file, step } from './step';
import type { PlanFile, PlanStep } from './types';
import { minorChannel } from './versions';

export const APT_KEYRING_DIR = '/etc/apt/keyrings';
const K8S_KEYRING = `${APT_KEYRING_DIR}/kubernetes-apt-keyring.gpg`;
const K8S_PACKAGES = ['kubelet', 'kubeadm', 'kubectl'];
/**
 * crictl, as pkgs.k8s.io names its package. kubeadm depends on it, but naming it makes the plan
 * say where crictl comes from: containerd.io does not ship it. Its versions follow the minor, not
 * the patch, so it is never pinned to the Kubernetes patch.
 */
const CRI_TOOLS = 'cri-tools';

/** Base of the package sources: pkgs.k8s.io online, the mirror's copy of its layout offline. */
export function kubernetesRepoUrl(ctx: PlanContext, family: OsFamily): string {
  const base = ctx.mirror ? `${ctx.mirror}/kubernetes` : 'https://pkgs.k8s.io';
  return `${base}/core:/stable:/${minorChannel(ctx.version)}/${family === 'debian' ? 'deb' : 'rpm'}/`;
}

/** A distro-neutral install line for tools from the OS repositories. */
export function installLines(family: OsFamily, packages: string[]): string[] {
  const list = packages.map(shq).join(' ');
  return family === 'debian'
    ? ['export DEBIAN_FRONTEND=noninteractive', 'apt-get update -q', `apt-get install -y -q ${list}`]
    : [`dnf install -y -q ${list}`];
}

function versionSuffix(ctx: PlanContext, family: OsFamily): string {
  const v = ctx.version;
  if (v.patch === undefined) return '';
  // pkgs.k8s.io names builds 1.33.2-1.1 (deb) and 1.33.2 (rpm).
  return family === 'debian' ? `=1.${v.minor}.${v.patch}-1.1` : `-1.${v.minor}.${v.patch}`;
}

/**
 * Debian's source line is uploaded beside the plan and put in place only once its keyring exists:
 * a sources.list.d entry whose signed-by keyring is missing makes every `apt-get update` on the
 * host fail ("the repository is not signed"), this step's own first one and any later apt step's.
 */
const STAGED_APT_LIST = `${KEELSON_DIR}/apt/kubernetes.list`;
const APT_LIST = '/etc/apt/sources.list.d/kubernetes.list';

export function kubernetesRepoFiles(ctx: PlanContext, family: OsFamily): PlanFile[] {
  const url = kubernetesRepoUrl(ctx, family);
  if (family === 'debian') {
    return [
      file(
        STAGED_APT_LIST,
        `deb [signed-by=${K8S_KEYRING}] ${aptUri(url, 'spec.packages.mirrorUrl')} /\n`,
        'text',
      ),
    ];
  }
  return [
    file(
      '/etc/yum.repos.d/kubernetes.repo',
      [
        '[kubernetes]',
        `name=Kubernetes ${minorChannel(ctx.version)}`,
        `baseurl=${dnfUrl(url, 'spec.packages.mirrorUrl')}`,
        'enabled=1',
        'gpgcheck=1',
        `gpgkey=${dnfUrl(`${url}repodata/repomd.xml.key`, 'spec.packages.mirrorUrl')}`,
        // Keeps a routine `dnf update` from upgrading the cluster behind kubeadm's back.
        'exclude=kubelet kubeadm kubectl cri-tools kubernetes-cni',
        '',
      ].join('\n'),
      'ini',
    ),
  ];
}

export function kubernetesPackagesStep(ctx: PlanContext, host: Host): PlanStep {
  const family = ctx.os(host);
  const url = kubernetesRepoUrl(ctx, family);
  const suffix = versionSuffix(ctx, family);
  const pkgs = [...K8S_PACKAGES.map((p) => shq(p + suffix)), shq(CRI_TOOLS)].join(' ');
  const ipvs = ctx.project.spec.networking.kubeProxyMode === 'ipvs';
  const tools = ['conntrack', 'socat', 'ipset', ...(ipvs ? ['ipvsadm'] : [])];
  const channel = `v1.${ctx.version.minor}.`;
  const lines =
    family === 'debian'
      ? [
          ...installLines('debian', ['apt-transport-https', 'ca-certificates', 'curl', 'gpg', ...tools]),
          `install -d -m 0755 ${shq(APT_KEYRING_DIR)}`,
          `curl -fsSL ${shq(`${url}Release.key`)} | gpg --dearmor --yes -o ${shq(K8S_KEYRING)}`,
          `chmod 0644 ${shq(K8S_KEYRING)}`,
          `install -m 0644 ${shq(STAGED_APT_LIST)} ${shq(APT_LIST)}`,
          'apt-get update -q',
          `apt-mark unhold ${K8S_PACKAGES.join(' ')} >/dev/null`,
          `apt-get install -y -q --allow-change-held-packages ${pkgs}`,
          `apt-mark hold ${K8S_PACKAGES.join(' ')}`,
        ]
      : [
          ...installLines('rhel', ['curl', ...tools]),
          `dnf install -y -q --disableexcludes=kubernetes ${pkgs}`,
        ];
  return step({
    id: `kubernetes-packages/${host.name}`,
    phase: 'kubernetes-packages',
    host: host.name,
    description:
      `Install kubelet, kubeadm, kubectl ${suffix ? `${ctx.version.release.minor}.${ctx.version.patch}` : `(newest ${ctx.version.release.minor}.x)`} and ${CRI_TOOLS} (crictl) ` +
      `on ${host.name} from ${url} (one repository per minor)` +
      (family === 'debian'
        ? ', keyring in /etc/apt/keyrings, held with apt-mark.'
        : ', protected by exclude= and installed with --disableexcludes=kubernetes.'),
    script: bashScript(
      FAIL_FUNCTION,
      ...lines,
      'systemctl enable kubelet',
      `grep -q ${shq(`^${channel.replace(/\./g, '\\.')}`)} <<<"$(kubeadm version -o short)" || fail ${shq(`kubeadm is not ${channel}x`)}`,
      `command -v crictl >/dev/null || fail ${shq(`crictl is missing: ${CRI_TOOLS} did not install`)}`,
    ),
    files: kubernetesRepoFiles(ctx, family),
    check: bashScript(
      `grep -q ${shq(`^${suffix ? `v1\\.${ctx.version.minor}\\.${ctx.version.patch}$` : `v1\\.${ctx.version.minor}\\.`}`)} <<<"$(kubeadm version -o short 2>/dev/null)"`,
      `grep -q ${shq(`v1\\.${ctx.version.minor}\\.`)} <<<"$(kubectl version --client 2>/dev/null)"`,
      'systemctl is-enabled --quiet kubelet',
      'command -v crictl >/dev/null',
      family === 'debian'
        ? `[ "$(apt-mark showhold | grep -cE '^(kubelet|kubeadm|kubectl)$')" -eq 3 ]`
        : 'true',
    ),
    timeoutSeconds: 600,
    dependsOn: [`container-runtime/${host.name}`],
  });
}

export const kubernetesPackagesSteps = (ctx: PlanContext): PlanStep[] =>
  ctx.nodes.map((h) => kubernetesPackagesStep(ctx, h));
