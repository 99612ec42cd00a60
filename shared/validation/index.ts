import type { ClusterProject } from '../model/cluster';
import { addressCodes, checkAddresses } from './addresses';
import { defineCodes, fieldTarget, type CodeInfo } from './define';
import { checkEndpoint, endpointCodes } from './endpoint';
import type { Finding, Severity } from './finding';
import { checkFormats, formatCodes } from './formats';
import { checkNetwork, networkCodes } from './network';
import { checkQuorum, quorumCodes } from './quorum';
import { checkReachability, reachabilityCodes } from './reachability';
import { checkRoles, roleCodes } from './roles';
import { checkRuntime, runtimeCodes } from './runtime';
import { todayIso } from '../kubernetes/releases';
import { checkVersion, versionCodes } from './version';
import { resolveDesign, type ValidDesign } from './design';

export type { Finding, FindingTarget, Severity } from './finding';
export type { CodeInfo } from './define';
export { SUPPORTED_KUBERNETES_MINORS } from './version';
export { faultTolerance } from './quorum';
export type { PlannedVersion, ValidDesign } from './design';
export { vipCarriers, usesKeepalived } from './endpoint';

const internal = defineCodes({
  VALIDATOR_INTERNAL: {
    severity: 'error',
    summary: 'A check failed unexpectedly (a Keelson bug); the other checks still ran',
  },
});

/** Every finding code with its severity and a one-line meaning (the docs table is made from this). */
export const FINDING_CODES: Readonly<Record<string, CodeInfo>> = {
  ...quorumCodes,
  ...roleCodes,
  ...addressCodes,
  ...endpointCodes,
  ...networkCodes,
  ...reachabilityCodes,
  ...versionCodes,
  ...runtimeCodes,
  ...formatCodes,
  ...internal.codes,
};

export interface ValidateOptions {
  /** YYYY-MM-DD that end-of-life dates are judged against; today (UTC) by default. */
  today?: string;
}

const CHECKS: [string, (project: ClusterProject, options: Required<ValidateOptions>) => Finding[]][] = [
  ['quorum', checkQuorum],
  ['roles', checkRoles],
  ['addresses', checkAddresses],
  ['endpoint', checkEndpoint],
  ['network', checkNetwork],
  ['reachability', checkReachability],
  ['version', checkVersion],
  ['runtime', checkRuntime],
  ['formats', checkFormats],
];

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * Everything worth telling the person designing this cluster, errors first. Pure and total:
 * it never throws, whatever the model holds — a check that trips over something unexpected is
 * reported as VALIDATOR_INTERNAL and the other checks still run.
 */
export function validateCluster(project: ClusterProject, options: ValidateOptions = {}): Finding[] {
  const findings: Finding[] = [];
  const resolved = { today: options.today ?? todayIso() };
  for (const [topic, check] of CHECKS) {
    try {
      findings.push(...check(project, resolved));
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      findings.push(
        internal.finding(
          'VALIDATOR_INTERNAL',
          fieldTarget('spec'),
          `The ${topic} checks could not run: ${why}`,
          'Please report this with the project file.',
        ),
      );
    }
  }
  // Stable sort: within a severity, checks keep their topic order.
  return findings.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
}

/** The finding codes as a Markdown table, for the README and `keelson validate --codes`. */
export function findingCodesMarkdown(): string {
  const rows = Object.entries(FINDING_CODES)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, info]) => `| \`${code}\` | ${info.severity} | ${info.summary} |`);
  return ['| Code | Severity | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

export interface ProjectCheck {
  /** Every finding, errors first (what validateCluster returns). */
  findings: Finding[];
  /**
   * The normalized design the plan generators consume; null when there are error findings, or
   * when there is nothing to deploy yet (no hosts).
   */
  design: ValidDesign | null;
}

/**
 * Validation and its normalized result in one call: the only way the planner reads a project,
 * so whatever the validator passes is exactly what gets planned.
 */
export function checkProject(project: ClusterProject, options: ValidateOptions = {}): ProjectCheck {
  const findings = validateCluster(project, options);
  if (findings.some((f) => f.severity === 'error') || project.spec.hosts.length === 0)
    return { findings, design: null };
  try {
    return { findings, design: resolveDesign(project) };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    const bug = internal.finding(
      'VALIDATOR_INTERNAL',
      fieldTarget('spec'),
      `The design could not be read after passing every check: ${why}`,
      'Please report this with the project file.',
    );
    return { findings: [bug, ...findings], design: null };
  }
}
