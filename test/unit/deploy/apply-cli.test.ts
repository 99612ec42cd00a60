import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, test } from 'vitest';
import { runCli } from '../../../main/cli/run';
import {
  contextNameFor,
  mergeKubeconfig,
  renamedAdminConfig,
  saveKubeconfig,
} from '../../../main/services/deploy/kubeconfig';

const TEMPLATE = join(__dirname, '../../../resources/templates/keepalived-haproxy.keelson.yaml');
const work = mkdtempSync(join(tmpdir(), 'keelson-apply-cli-'));
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

describe('keelson apply: what it refuses before touching any host', () => {
  test('no file is a usage error (2) with the usage', async () => {
    const r = await cli(['apply']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('Usage: keelson apply FILE');
  });

  test('without a terminal to confirm on, it wants --yes (2)', async () => {
    const r = await cli(['apply', TEMPLATE]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('pass --yes');
  });

  test('a design with errors is refused with its findings (1)', async () => {
    const file = join(work, 'broken.keelson.yaml');
    writeFileSync(file, readFileSync(TEMPLATE, 'utf8').replace('vip: 10.77.0.10', 'vip: 10.99.0.10'));
    const r = await cli(['apply', file, '--yes']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error VIP_/);
  });

  test('an unknown phase for --only names the real ones (1)', async () => {
    const r = await cli(['apply', TEMPLATE, '--yes', '--only', 'os-prepp']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('this plan has no phase "os-prepp" (its phases: preflight, os-prep,');
  });

  test('--parallel must be a whole number (2)', async () => {
    const r = await cli(['apply', TEMPLATE, '--yes', '--parallel', '0']);
    expect(r.code).toBe(2);
  });
});

const ADMIN = `apiVersion: v1
kind: Config
clusters:
- name: kubernetes
  cluster:
    certificate-authority-data: Q0E=
    server: https://10.77.0.10:8443
users:
- name: kubernetes-admin
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
contexts:
- name: kubernetes-admin@kubernetes
  context: { cluster: kubernetes, user: kubernetes-admin }
current-context: kubernetes-admin@kubernetes
`;

describe('the kubeconfig a deploy hands over', () => {
  test('is saved 0600 under its own names, and merged beside the other contexts with a backup', async () => {
    const ours = renamedAdminConfig(ADMIN, contextNameFor('keepalived + haproxy on 3 control planes'));
    expect(ours.contexts?.[0]?.name).toBe('keelson-keepalived-haproxy-on-3-control-planes');
    const saved = join(work, 'out', 'admin.conf');
    await saveKubeconfig(saved, ours);
    expect(statSync(saved).mode & 0o777).toBe(0o600);

    const config = join(work, 'kube', 'config');
    const theirs = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'prod', cluster: { server: 'https://prod:6443' } }],
      users: [{ name: 'me', user: { token: 't' } }],
      contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'me' } }],
      'current-context': 'prod',
      preferences: { colors: true },
    };
    await saveKubeconfig(config, theirs as never);
    const before = readFileSync(config, 'utf8');
    const first = await mergeKubeconfig(config, ours, new Date('2026-11-30T01:00:00Z'));
    expect(readFileSync(first.backup!, 'utf8')).toBe(before);
    const merged = parse(readFileSync(config, 'utf8'));
    expect(merged['current-context']).toBe('prod');
    expect(merged.preferences).toEqual({ colors: true });
    expect(merged.contexts.map((c: { name: string }) => c.name)).toEqual(['prod', first.context]);
    expect(merged.clusters[1].cluster.server).toBe('https://10.77.0.10:8443');
    // A re-deploy replaces its own entries, never duplicates them.
    await mergeKubeconfig(config, ours, new Date('2026-11-30T02:00:00Z'));
    expect(parse(readFileSync(config, 'utf8')).contexts).toHaveLength(2);
    expect(statSync(config).mode & 0o777).toBe(0o600);
  });
});
