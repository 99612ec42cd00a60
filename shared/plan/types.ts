/**
 * A deploy plan: what Keelson would run, host by host, in kubeadm-like phases. Pure data,
 * produced by pure generators in shared/plan from a validated ClusterProject. Secrets are
 * placeholders (`{{secret:NAME}}`) resolved by the executor at run time, never values.
 */
import type { PhaseId } from './phases';

export type { PhaseId } from './phases';

export interface PlanFile {
  /** Absolute path on the target host. */
  path: string;
  content: string;
  /** Octal mode string, e.g. '0644' or '0600'. */
  mode: string;
  /** Language for highlighting and checks: 'yaml' | 'ini' | 'nginx' | 'haproxy' | 'keepalived' | 'bash' | 'toml' | 'text'. */
  language: string;
}

export interface PlanStep {
  /** Unique in the plan, stable across runs: e.g. `load-balancer/haproxy/cp1`. */
  id: string;
  phase: PhaseId;
  /** Host name from the project; the executor connects to it. */
  host: string;
  description: string;
  /** bash, starting with `set -euo pipefail`; every interpolated value shell-quoted. */
  script: string;
  files: PlanFile[];
  /** bash that exits 0 when the step's effect is already in place, so re-running is safe. */
  check?: string;
  timeoutSeconds: number;
  /** Step ids that must finish first. */
  dependsOn: string[];
  /** Names of the secrets whose placeholders appear in script or files. */
  secrets: string[];
  /**
   * Run-time values this step produces (a fresh certificate key, the CA hash, a machine-id…).
   * The script writes each to `${OUTPUT_DIR}/NAME` (mode 0600); the executor reads and removes
   * the file after the step and substitutes `{{secret:NAME}}` / `{{value:NAME}}` in later steps.
   */
  outputs?: PlanOutput[];
}

/** A value produced on a host at run time, consumed by later steps through a placeholder. */
export interface PlanOutput {
  name: string;
  /** True: referenced as `{{secret:NAME}}`, masked everywhere. False: `{{value:NAME}}`. */
  secret: boolean;
  description: string;
  /**
   * Outputs sharing this key must all differ across hosts (hostname, machine-id, product_uuid):
   * the executor compares the collected values and stops the deploy on a duplicate.
   */
  uniqueAcrossHosts?: string;
}

export interface PlanPhase {
  id: PhaseId;
  title: string;
  /** True when the phase's steps may run on several hosts at once (e.g. worker-join). */
  parallel: boolean;
  steps: PlanStep[];
}

/** A host of the design as the plan sees it: where it is and how Keelson reaches it. */
export interface PlanHost {
  name: string;
  address: string;
  roles: string[];
  os: 'debian' | 'rhel';
  ssh: { user: string; port: number };
  /** Bastions the SSH connection goes through, first hop first; empty = reached directly. */
  route: string[];
}

export interface Plan {
  cluster: string;
  kubernetesVersion: string;
  generatedBy: string;
  /** Every host of the design (bastions and unused hosts too), with its SSH route. */
  hosts: PlanHost[];
  phases: PlanPhase[];
}

export const secretPlaceholder = (name: string): string => `{{secret:${name}}}`;
/** A non-secret run-time value produced by an earlier step (see PlanStep.outputs). */
export const valuePlaceholder = (name: string): string => `{{value:${name}}}`;
/** Where step scripts leave their outputs on the host; /run is a root-only tmpfs, gone at reboot. */
export const OUTPUT_DIR = '/run/keelson/outputs';

/**
 * Values the executor itself provides to every step (`{{value:NAME}}`): the run's id and the
 * time it started (ISO 8601), e.g. for the cluster record the post-install phase writes.
 */
export const RUN_ID_VALUE = 'keelson-run-id';
export const RUN_STARTED_VALUE = 'keelson-run-started';
