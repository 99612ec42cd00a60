import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatProjectErrors, parseProject } from '../../../shared/model/parse';
import { generatePlan } from '../../../shared/plan/generate';
import { validateCluster } from '../../../shared/validation';
import { registerToolChecks, type NamedPlan } from './tool-checks';

// The templates are what a new user deploys first: their plans must pass the same real-tool
// checks as the code-built matrix, not just validate.
const TEMPLATES = join(__dirname, '../../../resources/templates');
const files = readdirSync(TEMPLATES)
  .filter((f) => f.endsWith('.keelson.yaml'))
  .sort();

const plans: NamedPlan[] = [];
const skipped: { file: string; reason: string }[] = [];
for (const file of files) {
  const parsed = parseProject(readFileSync(join(TEMPLATES, file), 'utf8'), file);
  // A template that does not even parse is a bug to see, never a reason to skip.
  if (!parsed.ok) throw new Error(formatProjectErrors(parsed.errors, file));
  const errors = validateCluster(parsed.project).filter((f) => f.severity === 'error');
  if (errors.length > 0)
    skipped.push({ file, reason: `error findings: ${errors.map((e) => e.code).join(', ')}` });
  else if (parsed.project.spec.hosts.length === 0) skipped.push({ file, reason: 'no hosts to plan' });
  else
    for (const osFamily of ['debian', 'rhel'] as const)
      plans.push({
        name: `${file}/${osFamily}`,
        plan: generatePlan(parsed.project, { keelsonVersion: '0.1.0-test', osFamily }),
      });
}

describe('shipped templates: generated configs pass the real tools', () => {
  test('only the empty template is skipped, because it has no hosts; every other one is planned', () => {
    expect(skipped).toEqual([{ file: 'empty.keelson.yaml', reason: 'no hosts to plan' }]);
    expect(plans.map((p) => p.name.replace(/\/(debian|rhel)$/, ''))).toEqual(
      files.filter((f) => f !== 'empty.keelson.yaml').flatMap((f) => [f, f]),
    );
    expect(plans.length).toBeGreaterThanOrEqual(10);
  });

  registerToolChecks(plans, 50);
});
