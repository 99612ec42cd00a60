import type { Host } from '../model/cluster';
import { CRI_SOCKET, type PlanContext } from './context';
import { aptUri, dnfUrl, tomlString } from './escape';
import { pulledRegistries, registryMirrorFiles } from './mirror';
import { installLines } from './packages';
import { FAIL_FUNCTION, bashScript, shq } from './shell';
import { file, step } from './step';
import type { PlanFile, PlanStep } from './types';
import { DEFAULT_IMAGE_REPOSITORY, pauseVersion } from './versions';

const CONFIG = '/etc/containerd/config.toml';
/** containerd's socket as a path (ctr takes no unix:// scheme). */
const CONTAINERD_SOCKET = CRI_SOCKET.replace(/^unix:\/\//, '');

/** The sandbox image kubeadm itself pulls (same repository, same pause version). */
export function pauseImage(ctx: PlanContext): string {
  const repo = ctx.project.spec.packages.imageRepository ?? DEFAULT_IMAGE_REPOSITORY;
  return `${repo}/pause:${pauseVersion(ctx.version)}`;
}

export function crictlYaml(): string {
  return `runtime-endpoint: ${CRI_SOCKET}\nimage-endpoint: ${CRI_SOCKET}\ntimeout: 10\n`;
}

function hostsToml(mirrors: string[]): string {
  return mirrors.map((m) => `[host.${tomlString(m)}]\n  capabilities = ["pull", "resolve"]\n`).join('\n');
}

/** Where SystemdCgroup lives in containerd 2.x's config (version 3 layout). */
const RUNC_OPTIONS = "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]";
/**
 * containerd 2.0/2.1 write config version 3, 2.2 and later version 4 (seen: 2.4.2's `config
 * default`); both keep the plugin paths edited here. 1.x (version 2) is end of life.
 */
const CONFIG_LAYOUTS = ['3', '4'];
/** Where containerd reads per-registry hosts.toml; its default is '' (none read at all). */
export const CERTS_DIR = '/etc/containerd/certs.d';

const sedAddress = (header: string): string => header.replace(/[[\].]/g, (c) => `\\${c}`);

function installRepoLines(ctx: PlanContext, family: 'debian' | 'rhel'): string[] {
  const base = ctx.mirror ? `${ctx.mirror}/docker` : 'https://download.docker.com';
  if (family === 'debian') {
    return [
      ...installLines('debian', ['ca-certificates', 'curl']),
      'install -d -m 0755 /etc/apt/keyrings',
      '# shellcheck disable=SC1091 # /etc/os-release exists on every supported distribution',
      '. /etc/os-release',
      `docker_base=${shq(aptUri(`${base}/linux`, 'spec.packages.mirrorUrl'))}`,
      'curl -fsSL "${docker_base}/${ID}/gpg" -o /etc/apt/keyrings/docker.asc',
      'chmod 0644 /etc/apt/keyrings/docker.asc',
      'printf \'deb [signed-by=/etc/apt/keyrings/docker.asc] %s/%s %s stable\\n\' "$docker_base" "$ID" "$VERSION_CODENAME" > /etc/apt/sources.list.d/docker.list',
      'apt-get update -q',
      'apt-get install -y -q containerd.io',
    ];
  }
  return [
    `docker_base=${shq(dnfUrl(`${base}/linux/centos`, 'spec.packages.mirrorUrl'))}`,
    '# shellcheck disable=SC2016 # $releasever and $basearch are dnf variables, written literally',
    'printf \'[docker-ce-stable]\\nname=Docker CE Stable\\nbaseurl=%s/$releasever/$basearch/stable\\nenabled=1\\ngpgcheck=1\\ngpgkey=%s/gpg\\n\' "$docker_base" "$docker_base" > /etc/yum.repos.d/docker-ce.repo',
    'dnf install -y -q containerd.io',
  ];
}

/**
 * Waits until containerd answers on its socket and its CRI plugin loaded, using only `ctr`
 * (shipped with containerd itself): crictl is not installed yet at this point.
 */
function criReadyLines(): string[] {
  return [
    `sock=${shq(CONTAINERD_SOCKET)}`,
    'for _ in $(seq 1 30); do ctr --address "$sock" version >/dev/null 2>&1 && break; sleep 1; done',
    'ctr --address "$sock" version >/dev/null || fail "containerd does not answer on $sock"',
    'plugins=$(ctr --address "$sock" plugins ls)',
    `grep -Eq '^io\\.containerd\\.grpc\\.v1[[:space:]]+cri[[:space:]].*[[:space:]]ok[[:space:]]*$' <<<"$plugins" || fail "containerd's CRI plugin is not ok: $(grep -E '[[:space:]]cri[[:space:]]' <<<"$plugins" || echo 'not listed')"`,
  ];
}

export function containerdStep(ctx: PlanContext, host: Host): PlanStep {
  const family = ctx.os(host);
  const { registryMirrors } = ctx.project.spec.containerd;
  const pause = pauseImage(ctx);
  const files: PlanFile[] = [file('/etc/crictl.yaml', crictlYaml(), 'yaml')];
  if (registryMirrors.length) {
    files.push(file('/etc/containerd/certs.d/_default/hosts.toml', hostsToml(registryMirrors), 'toml'));
  }
  const offline = registryMirrorFiles(ctx);
  files.push(...offline);
  const script = bashScript(
    FAIL_FUNCTION,
    ...installRepoLines(ctx, family),
    "installed=$(containerd --version | awk '{print $3}' | sed 's/^v//' | cut -d. -f1)",
    '[ "$installed" = 2 ] || fail "containerd $installed.x installed; Keelson configures containerd 2.x (1.x is end of life)"',
    `pause=${shq(pause)}`,
    `new=${shq(`${CONFIG}.keelson-new`)}`,
    'install -d -m 0755 /etc/containerd',
    '# Start from the defaults of the installed containerd, then change only what kubeadm needs.',
    'containerd config default > "$new"',
    `grep -Eq ${shq(`^version = (${CONFIG_LAYOUTS.join('|')})$`)} "$new" || fail "containerd wrote config $(grep -E '^version' "$new" || echo 'without a version'); Keelson knows versions ${CONFIG_LAYOUTS.join(' and ')}"`,
    'sed -i \'s/SystemdCgroup = false/SystemdCgroup = true/\' "$new"',
    '# Some 2.0.x defaults omit the key: a bare sed would silently change nothing.',
    'if ! grep -Eq \'^[[:space:]]*SystemdCgroup = true\' "$new"; then',
    `  sed -i ${shq(`/^[[:space:]]*${sedAddress(RUNC_OPTIONS)}/a\\            SystemdCgroup = true`)} "$new"`,
    'fi',
    `grep -Eq '^[[:space:]]*SystemdCgroup = true' "$new" || fail ${shq(`SystemdCgroup = true could not be set: ${RUNC_OPTIONS} not found in the default config`)}`,
    // The image (from imageRepository) is data handed to awk through its environment, already in
    // TOML's string syntax: it never becomes part of a sed or awk program.
    `sandbox=${shq(tomlString(pause))}`,
    `sandbox="$sandbox" awk 'match($0, /^[[:space:]]*sandbox = /) { print substr($0, 1, RLENGTH) ENVIRON["sandbox"]; next } { print }' "$new" > "$new.edit"`,
    'mv "$new.edit" "$new"',
    `grep -Fq -- "sandbox = \${sandbox}" "$new" || fail "sandbox image is not \${pause} (kubeadm's pause image)"`,
    '# Registry mirrors (hosts.toml) are read only from config_path, which defaults to none.',
    `sed -i -E ${shq(`s#^([[:space:]]*config_path = ).*#\\1'${CERTS_DIR}'#`)} "$new"`,
    `grep -Eq "^[[:space:]]*config_path = '${CERTS_DIR}'$" "$new" || fail ${shq(`config_path could not be set to ${CERTS_DIR}`)}`,
    `mv "$new" ${shq(CONFIG)}`,
    'systemctl enable containerd',
    'systemctl restart containerd',
    // crictl comes later with the Kubernetes packages (cri-tools); containerd.io ships ctr.
    ...criReadyLines(),
  );
  return step({
    id: `container-runtime/${host.name}`,
    phase: 'container-runtime',
    host: host.name,
    description:
      `Install containerd 2.x on ${host.name}, write its config from \`containerd config default\` (version 3 or 4 layout) ` +
      `with SystemdCgroup = true (verified) and sandbox image ${pause} (kubeadm's), /etc/crictl.yaml` +
      (registryMirrors.length ? ', registry mirrors in /etc/containerd/certs.d' : '') +
      (offline.length ? `, images of ${pulledRegistries(ctx).join(', ')} from ${ctx.mirror}.` : '.'),
    script,
    files,
    check: bashScript(
      'systemctl is-active --quiet containerd',
      `grep -Eq '^[[:space:]]*SystemdCgroup = true' ${shq(CONFIG)}`,
      `grep -Fq ${shq(pause)} ${shq(CONFIG)}`,
      `grep -Fq ${shq(`config_path = '${CERTS_DIR}'`)} ${shq(CONFIG)}`,
      'test -f /etc/crictl.yaml',
    ),
    timeoutSeconds: 600,
    dependsOn: [`os-prep/${host.name}`],
  });
}

export const containerdSteps = (ctx: PlanContext): PlanStep[] => ctx.nodes.map((h) => containerdStep(ctx, h));
