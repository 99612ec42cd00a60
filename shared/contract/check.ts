import { oc } from '@orpc/contract';
import { z } from 'zod';
import type { CheckReport as CheckReportType } from '../check/report';
import { deployErrors } from './deploy';
import { SecretValues } from './ssh';

/**
 * Check area: `Check hosts` — every host of a workspace cluster checked at once, read-only,
 * before a deploy (the same service as `keelson check`). The schemas mirror
 * shared/check/report.ts, checked both ways at compile time below.
 */
const ClusterId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and -');
const Status = z.enum(['green', 'amber', 'red']);
const Flow = z.object({
  from: z.string(),
  to: z.string(),
  proto: z.enum(['tcp', 'udp', 'vrrp']),
  port: z.number(),
  why: z.string(),
});

export const CheckReport = z.object({
  cluster: z.string(),
  startedAt: z.number(),
  durationMs: z.number(),
  hosts: z.array(z.string()),
  columns: z.array(z.string()),
  results: z.array(
    z.object({
      host: z.string(),
      check: z.string(),
      status: Status,
      detail: z.string(),
      fix: z.string().optional(),
    }),
  ),
  clock: z.array(z.object({ host: z.string(), offsetMs: z.number(), uncertaintyMs: z.number() })),
  reach: z
    .object({
      flows: z.array(Flow.extend({ result: z.enum(['ok', 'blocked', 'untested']), detail: z.string() })),
      vip: z.object({ address: z.string(), status: Status, detail: z.string() }).nullable(),
    })
    .nullable(),
  verdict: Status,
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const reportMatches: Same<z.infer<typeof CheckReport>, CheckReportType> = true;
void reportMatches;

export const checkContract = {
  /**
   * Runs the host check now (up to a minute or so) and returns its report; main keeps the latest
   * one per cluster, and Deploy refuses a red one unless overridden with a reason.
   */
  hosts: oc
    .errors(deployErrors)
    .input(z.strictObject({ id: ClusterId, secrets: SecretValues.optional() }))
    .output(CheckReport),
  /** The latest report of this cluster in this Keelson (null before the first check). */
  last: oc
    .errors(deployErrors)
    .input(z.strictObject({ id: ClusterId }))
    .output(CheckReport.nullable()),
};
