import { z } from 'zod';

export const Severity = z.enum(['error', 'warning', 'info']);
export type Severity = z.infer<typeof Severity>;

/** What a finding is about: a host on the canvas, or a field of the project file. */
export const FindingTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('host'), name: z.string() }),
  /** Dotted path into the project, e.g. `spec.apiEndpoint.vip` or `spec.networking.podCidr`. */
  z.object({ kind: z.literal('field'), path: z.string() }),
]);
export type FindingTarget = z.infer<typeof FindingTarget>;

export const Finding = z.object({
  /** Stable code, e.g. `CP_COUNT_EVEN`; documented and never reused for another meaning. */
  code: z.string().regex(/^[A-Z][A-Z0-9_]+$/),
  severity: Severity,
  /** A sentence a person understands without knowing the code. */
  message: z.string().min(1),
  target: FindingTarget,
  /** What to do about it. */
  fix: z.string().optional(),
  /**
   * Every host it is about, when that is several (hosts sharing an address, the control planes
   * of an even count): the canvas badges each of them and a click selects them all.
   */
  hosts: z.array(z.string()).optional(),
});
export type Finding = z.infer<typeof Finding>;
