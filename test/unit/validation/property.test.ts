import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Finding } from '../../../shared/validation/finding';
import { FINDING_CODES, validateCluster } from '../../../shared/validation';
import type { ClusterProject } from '../../../shared/model/cluster';
import { projectArb } from './arbitrary';

describe('validateCluster on random models', () => {
  it('never throws, and every finding is well formed with a documented code', () => {
    fc.assert(
      fc.property(projectArb, (project) => {
        const findings = validateCluster(project);
        for (const f of findings) {
          expect(Finding.safeParse(f).success).toBe(true);
          expect(FINDING_CODES[f.code], f.code).toBeDefined();
          expect(f.severity).toBe(FINDING_CODES[f.code]!.severity);
          expect(f.message.trim()).not.toBe('');
          const target = f.target.kind === 'host' ? f.target.name : f.target.path;
          expect(typeof target).toBe('string');
        }
        // Anything the model's types allow is handled by the checks themselves.
        expect(findings.map((f) => f.code)).not.toContain('VALIDATOR_INTERNAL');
      }),
      { numRuns: 1500 },
    );
  });

  it('survives values that are not models at all', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const findings = validateCluster(value as ClusterProject);
        expect(Array.isArray(findings)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('lists errors before warnings before info', () => {
    fc.assert(
      fc.property(projectArb, (project) => {
        const rank = { error: 0, warning: 1, info: 2 };
        const ranks = validateCluster(project).map((f) => rank[f.severity]);
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      }),
      { numRuns: 300 },
    );
  });
});
