import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Plan, PlanFile, PlanStep } from '../../../shared/plan/types';

/** Stand-ins for run-time values, as the executor would substitute them (auth_pass ≤ 8 chars). */
export function fillPlaceholders(text: string): string {
  return text
    .replace(/\{\{secret:[^}]+\}\}/g, 'fakepw12')
    .replace(/\{\{value:kubernetes-version\}\}/g, 'v1.35.0')
    .replace(/\{\{value:[^}]+\}\}/g, 'fake-value');
}

export const allSteps = (plan: Plan): PlanStep[] => plan.phases.flatMap((p) => p.steps);
export const allFiles = (plan: Plan): PlanFile[] => allSteps(plan).flatMap((s) => s.files);

export function run(cmd: string, args: string[], input?: string): { code: number; output: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 60_000 });
  return { code: r.status ?? -1, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/**
 * This machine is Debian: a RHEL nginx.conf names RHEL's module path, which does not exist here.
 * Point it at the local module so `nginx -t` checks everything else in the file.
 */
export function localNginx(content: string): string {
  const rhel = '/usr/lib64/nginx/modules/ngx_stream_module.so';
  return existsSync(rhel) ? content : content.replace(rhel, '/usr/lib/nginx/modules/ngx_stream_module.so');
}
