import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { exportPlan } from '../../../main/services/plan/export';
import { generatePlan } from '../../../shared/plan/generate';
import { project } from './fixtures';

/**
 * The reviewed plan for 3 control planes (keepalived + haproxy, VIP 10.77.0.100:8443) and 2
 * workers, Kubernetes 1.37, Debian. See golden/README.md for what was checked line by line.
 * Regenerate after a deliberate change with UPDATE_GOLDEN=1, then review the diff the same way.
 */
const GOLDEN = join(__dirname, 'golden', 'keepalived-haproxy-3cp-2w');
const work = mkdtempSync(join(tmpdir(), 'keelson-golden-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function tree(root: string): Map<string, { content: string; mode: number }> {
  const out = new Map<string, { content: string; mode: number }>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else
        out.set(relative(root, path), {
          content: readFileSync(path, 'utf8'),
          mode: statSync(path).mode & 0o777,
        });
    }
  };
  walk(root);
  return out;
}

test('the 3-CP keepalived + haproxy plan matches the reviewed golden copy, file by file', async () => {
  const plan = generatePlan(project({ pattern: 'keepalived-haproxy', version: '1.37' }), {
    keelsonVersion: 'golden',
    osFamily: 'debian',
  });
  if (process.env.UPDATE_GOLDEN === '1') await exportPlan(plan, GOLDEN, { overwrite: true });
  const fresh = join(work, 'plan');
  await exportPlan(plan, fresh);
  const want = tree(GOLDEN);
  const got = tree(fresh);
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [path, file] of want) {
    expect(got.get(path)?.content, path).toBe(file.content);
    // git keeps only the executable bit; other modes are compared through step.json and plan.json.
    if (/\.sh$/.test(path)) expect(got.get(path)?.mode, path).toBe(file.mode);
  }
});
