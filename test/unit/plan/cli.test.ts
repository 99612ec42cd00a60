import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCli } from '../../../main/cli/run';

const TEMPLATE = join(__dirname, '../../../resources/templates/keepalived-haproxy.keelson.yaml');
const work = mkdtempSync(join(tmpdir(), 'keelson-plan-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    version: '0.1.0-test',
  });
  return { code, out: out.join(''), err: err.join('') };
}

describe('keelson plan', () => {
  test('writes the plan as a folder: index, one folder per step, executable scripts, files with their modes', async () => {
    const dir = join(work, 'plan');
    const r = await cli(['plan', TEMPLATE, '--out', dir]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/phases, \d+ steps/);
    expect(existsSync(`${dir}.tmp`)).toBe(false);
    const plan = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8'));
    expect(plan.phases[0].id).toBe('preflight');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('# Deploy plan for');
    const phases = readdirSync(dir).filter((d) => /^\d\d-/.test(d));
    expect(phases).toContain('06-control-plane-init');
    const init = join(dir, '06-control-plane-init', '02-kubeadm-init-cp1');
    const script = readFileSync(join(init, 'script.sh'), 'utf8');
    expect(script.startsWith('#!/usr/bin/env bash\nset -euo pipefail\n')).toBe(true);
    expect(statSync(join(init, 'script.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(init, 'check.sh')).mode & 0o777).toBe(0o755);
    const config = join(init, 'files', 'etc', 'kubernetes', 'keelson', 'kubeadm-init.yaml');
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(readFileSync(config, 'utf8')).toContain('controlPlaneEndpoint: 10.77.0.10:8443');
    const lb = readdirSync(join(dir, '05-load-balancer'));
    expect(lb).toContain('01-haproxy-cp1');
    expect(
      readFileSync(
        join(dir, '05-load-balancer', '01-haproxy-cp1', 'files', 'etc', 'haproxy', 'haproxy.cfg'),
        'utf8',
      ),
    ).toContain('http-check connect ssl');
  });

  test('refuses a non-empty folder unless --overwrite, then replaces it whole', async () => {
    const dir = join(work, 'busy');
    await cli(['plan', TEMPLATE, '--out', dir]);
    writeFileSync(join(dir, 'stray.txt'), 'x');
    const refused = await cli(['plan', TEMPLATE, '--out', dir]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('not empty');
    const again = await cli(['plan', TEMPLATE, '--out', dir, '--overwrite']);
    expect(again.code).toBe(0);
    expect(existsSync(join(dir, 'stray.txt'))).toBe(false);
  });

  test('never touches DIR.tmp or DIR.old beside the target, and leaves no temporary folder', async () => {
    const dir = join(work, 'neighbours');
    for (const side of [`${dir}.tmp`, `${dir}.old`]) {
      mkdirSync(side);
      writeFileSync(join(side, 'mine.txt'), 'not Keelson’s');
    }
    expect((await cli(['plan', TEMPLATE, '--out', dir])).code).toBe(0);
    expect((await cli(['plan', TEMPLATE, '--out', dir, '--overwrite'])).code).toBe(0);
    for (const side of [`${dir}.tmp`, `${dir}.old`])
      expect(readFileSync(join(side, 'mine.txt'), 'utf8')).toBe('not Keelson’s');
    expect(
      readdirSync(work).filter((n) => n.includes('keelson-export') || n.includes('keelson-old')),
    ).toEqual([]);
  });

  test('--overwrite replaces only a folder that holds a Keelson plan; anything else is refused intact', async () => {
    const dir = join(work, 'documents');
    mkdirSync(dir);
    writeFileSync(join(dir, 'thesis.txt'), 'years of work');
    const r = await cli(['plan', TEMPLATE, '--out', dir, '--overwrite']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('does not hold a Keelson plan');
    expect(readdirSync(dir)).toEqual(['thesis.txt']);
  });

  test('refuses a project with errors and writes nothing', async () => {
    const bad = join(work, 'bad.keelson.yaml');
    writeFileSync(bad, readFileSync(TEMPLATE, 'utf8').replace('address: 10.77.0.12', 'address: 10.77.0.11'));
    const dir = join(work, 'never');
    const r = await cli(['plan', bad, '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('HOST_ADDRESS_DUPLICATE');
    expect(r.err).toContain('no plan written');
    expect(existsSync(dir)).toBe(false);
  });

  test('unreadable YAML and usage errors are reported, not thrown', async () => {
    const broken = join(work, 'broken.keelson.yaml');
    writeFileSync(broken, 'spec: [');
    expect((await cli(['plan', broken, '--out', join(work, 'x')])).code).toBe(1);
    expect((await cli(['plan', TEMPLATE])).code).toBe(2);
    expect((await cli(['plan', TEMPLATE, '--out', join(work, 'y'), '--os', 'windows'])).code).toBe(2);
  });

  test('--host-os makes one host RHEL-family', async () => {
    const dir = join(work, 'mixed');
    expect((await cli(['plan', TEMPLATE, '--out', dir, '--host-os', 'worker1=rhel'])).code).toBe(0);
    const plan = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8'));
    const pkgs = plan.phases.find((p: { id: string }) => p.id === 'kubernetes-packages').steps;
    expect(pkgs.find((s: { host: string }) => s.host === 'worker1').script).toContain('dnf install');
    expect(pkgs.find((s: { host: string }) => s.host === 'cp1').script).toContain('apt-get install');
  });
});
