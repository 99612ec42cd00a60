import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NEWEST_RELEASE } from '../../../shared/kubernetes/releases';
import { ClusterProject } from '../../../shared/model/cluster';
import { generatePlan } from '../../../shared/plan/generate';
import { PATTERNS, project, type FixtureOptions } from '../plan/fixtures';
import { allFiles } from '../plan/helpers';

/** The real kubeadm the lab builds from the Kubernetes sources (see kubeadm-images.test.ts). */
const TAG = `v${NEWEST_RELEASE.imagesFrom}`;
const KUBEADM = `/var/cache/keelson/kube/${TAG}/bin/kubeadm`;
const present = existsSync(KUBEADM);
if (!present)
  console.log(`skipped: kubeadm config validate — no real kubeadm at ${KUBEADM} (the lab builds it)`);

/** Run-time values as the executor fills them, in the formats kubeadm checks. */
function fill(text: string): string {
  return text
    .replaceAll('{{secret:bootstrap-token}}', 'abcdef.0123456789abcdef')
    .replaceAll('{{value:kubernetes-version}}', TAG)
    .replaceAll('{{value:ca-cert-hash}}', `sha256:${'0123456789abcdef'.repeat(4)}`)
    .replace(/\{\{secret:certificate-key-[^}]+\}\}/g, '0123456789abcdef'.repeat(4));
}

const work = mkdtempSync(join(tmpdir(), 'keelson-kubeadm-validate-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const cases: { name: string; options: FixtureOptions; change?: (p: ClusterProject) => void }[] = [];
for (const pattern of PATTERNS)
  for (const etcd of ['stacked', 'external'] as const)
    cases.push({ name: `${pattern}/${etcd}`, options: { pattern, etcd, version: NEWEST_RELEASE.minor } });
cases.push(
  {
    name: 'free-text cluster name, DNS name in capitals with a trailing dot, ipvs',
    options: { pattern: 'kube-vip', kubeProxyMode: 'ipvs', version: NEWEST_RELEASE.imagesFrom },
    change: (p) => {
      p.metadata.name = 'HA demo (Prod) #2';
      p.spec.apiEndpoint.dnsName = 'API.Lab.Example.';
    },
  },
  { name: 'ipv6 keepalived-haproxy', options: { pattern: 'keepalived-haproxy', ipv6: true } },
  {
    name: 'cgroup v1 allowed: failCgroupV1 false, SystemVerification skipped',
    options: { pattern: 'keepalived-nginx', etcd: 'external' },
    change: (p) => (p.spec.kubelet.allowCgroupV1 = true),
  },
);

describe(`generated kubeadm configs pass the real kubeadm's \`config validate\` (${TAG})`, () => {
  for (const c of cases)
    it.skipIf(!present)(c.name, () => {
      const p = project(c.options);
      c.change?.(p);
      const plan = generatePlan(ClusterProject.parse(p), { keelsonVersion: 't' });
      const configs = allFiles(plan).filter((f) => /kubeadm-(init|join)\.yaml$/.test(f.path));
      expect(configs.length).toBeGreaterThan(1);
      for (const [i, config] of configs.entries()) {
        const path = join(work, `${c.name.replace(/\W+/g, '-')}-${i}.yaml`);
        writeFileSync(path, fill(config.content));
        let output: string;
        try {
          output = execFileSync(KUBEADM, ['config', 'validate', '--config', path], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
            timeout: 60_000,
          });
        } catch (error) {
          const e = error as { stdout?: string; stderr?: string };
          throw new Error(
            `kubeadm refused ${config.path}:\n${e.stderr ?? ''}${e.stdout ?? ''}\n${fill(config.content)}`,
            { cause: error },
          );
        }
        expect(output.trim()).toBe('ok');
      }
    });
});
