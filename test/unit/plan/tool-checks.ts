import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import type { Plan } from '../../../shared/plan/types';
import { allFiles, allSteps, fillPlaceholders, localNginx, run } from './helpers';

export interface NamedPlan {
  name: string;
  plan: Plan;
}

/**
 * Registers, inside the caller's describe block, one test per real tool: every haproxy, nginx
 * and keepalived file and every script/check of `plans` must pass haproxy -c, nginx -t,
 * keepalived -t, bash -n and shellcheck. Shared so the code-built matrix and the shipped
 * templates are held to exactly the same checks. `minScripts` guards against a plan set that
 * quietly shrank to nothing worth checking.
 */
export function registerToolChecks(plans: readonly NamedPlan[], minScripts: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-plan-tools-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Unique contents of one kind across all plans (identical files are checked once), each on disk. */
  function unique(
    language: string,
    adapt: (s: string) => string = (s) => s,
  ): { path: string; from: string }[] {
    const seen = new Map<string, string>();
    for (const { name, plan } of plans)
      for (const f of allFiles(plan))
        if (f.language === language) {
          const content = adapt(fillPlaceholders(f.content));
          if (!seen.has(content)) seen.set(content, `${name} ${f.path}`);
        }
    return [...seen.entries()].map(([content, from], i) => {
      const path = join(dir, `${language}-${i}.conf`);
      writeFileSync(path, content);
      return { path, from };
    });
  }

  test('every haproxy.cfg passes haproxy -c without warnings', () => {
    const files = unique('haproxy');
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const r = run('haproxy', ['-c', '-f', f.path]);
      expect(r.code, `${f.from}\n${r.output}`).toBe(0);
      expect(r.output, f.from).not.toMatch(/\[(WARNING|ALERT)\]/);
    }
  });

  test('every nginx.conf passes nginx -t', () => {
    const files = unique('nginx', localNginx);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const r = run('nginx', ['-t', '-c', f.path]);
      expect(r.code, `${f.from}\n${r.output}`).toBe(0);
    }
  });

  test('every keepalived.conf passes keepalived -t', () => {
    const files = unique('keepalived');
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const r = run('keepalived', ['-t', '-f', f.path]);
      expect(r.code, `${f.from}\n${r.output}`).toBe(0);
    }
  });

  // Hundreds of scripts through shellcheck: minutes on a loaded 2-core machine, not the default 30 s.
  test('every script and check passes bash -n and shellcheck', () => {
    const seen = new Map<string, string>();
    for (const { name, plan } of plans)
      for (const s of allSteps(plan))
        for (const text of [s.script, s.check ?? ''])
          if (text && !seen.has(text)) seen.set(text, `${name} ${s.id}`);
    const paths: string[] = [];
    const origin = new Map<string, string>();
    [...seen.entries()].forEach(([text, from], i) => {
      const path = join(dir, `script-${i}.sh`);
      writeFileSync(path, text);
      paths.push(path);
      origin.set(path, from);
      expect(text.startsWith('set -euo pipefail\n'), from).toBe(true);
      const syntax = run('bash', ['-n', path]);
      expect(syntax.code, `${from}\n${syntax.output}`).toBe(0);
    });
    expect(paths.length).toBeGreaterThan(minScripts);
    for (let i = 0; i < paths.length; i += 100) {
      const batch = paths.slice(i, i + 100);
      const r = run('shellcheck', ['-s', 'bash', '-f', 'gcc', ...batch]);
      const named = r.output.replace(/^(\S+?\.sh)/gm, (p) => `${origin.get(p) ?? p}`);
      expect(r.code, named).toBe(0);
    }
  }, 180_000);
}
