/**
 * What Keelson gathers from a host when one of its steps fails, so the step's log already holds
 * what anyone would ask for next (the field's "send me journalctl -u kubelet and crictl ps -a"):
 * the state and recent journal of the services the failed phase touches, and the containers
 * when the phase runs Kubernetes. Read-only, bounded in time and size, best effort: a service
 * that is not installed is skipped, a command that fails says so and the next one runs.
 */
import type { PhaseId } from '../plan/phases';
import { shq } from '../plan/shell';

export interface Diagnostics {
  /** systemd units whose state and last journal lines are shown, in this order. */
  units: string[];
  /** The phase runs containers (static pods, CNI): `crictl ps -a` where crictl is installed. */
  containers: boolean;
}

const KUBERNETES: Diagnostics = { units: ['kubelet', 'containerd'], containers: true };

/** Phases whose failures these services explain; preflight and os-prep change no service. */
const BY_PHASE: Partial<Record<PhaseId, Diagnostics>> = {
  'container-runtime': { units: ['containerd'], containers: false },
  'kubernetes-packages': KUBERNETES,
  'external-etcd': { units: ['etcd'], containers: false },
  // kube-vip runs as a static pod: the kubelet and its containers tell its story.
  'load-balancer': { units: ['haproxy', 'nginx', 'keepalived', 'kubelet'], containers: true },
  'control-plane-init': KUBERNETES,
  cni: KUBERNETES,
  'control-plane-join': KUBERNETES,
  'worker-join': KUBERNETES,
  'post-install': KUBERNETES,
  verify: KUBERNETES,
};

export function diagnosticsFor(phase: PhaseId): Diagnostics | undefined {
  return BY_PHASE[phase];
}

/** Journal lines per unit: enough for a crash loop's cause, short enough to read in the log. */
export const JOURNAL_LINES = 40;

/**
 * The bash script that gathers `d` (run as root: journals are not every user's to read). Every
 * command has its own time limit, so one hung service manager or CRI socket cannot hold the rest.
 */
export function diagnosticsScript(d: Diagnostics): string {
  const lines = [
    'set -u',
    'section() { printf "\\n── %s\\n" "$1"; }',
    // `systemctl cat` fails for a unit that does not exist: skip it without noise.
    'unit() {',
    '  timeout 5 systemctl cat "$1.service" >/dev/null 2>&1 || return 0',
    '  section "systemctl status $1"',
    '  timeout 10 systemctl status "$1.service" --no-pager --lines=0 2>&1 || true',
    `  section "journalctl -u $1 (last ${JOURNAL_LINES} lines)"`,
    `  timeout 10 journalctl -u "$1.service" --no-pager --lines=${JOURNAL_LINES} -o short-iso 2>&1 || true`,
    '}',
    ...d.units.map((u) => `unit ${shq(u)}`),
  ];
  if (d.containers) {
    lines.push(
      'if command -v crictl >/dev/null 2>&1; then',
      '  section "crictl ps -a"',
      '  timeout 10 crictl ps -a 2>&1 || true',
      'fi',
    );
  }
  return `${lines.join('\n')}\n`;
}
