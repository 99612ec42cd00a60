import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, test } from 'vitest';
import { parseProject } from '../../../shared/model/parse';
import { generatePlan } from '../../../shared/plan/generate';
import { checkProject } from '../../../shared/validation';
import { allFiles } from './helpers';

// kube-proxy's mode as a user writes it (or leaves it out) in a project file, through the
// validator to the KubeProxyConfiguration kubeadm is given.
const template = readFileSync(
  join(__dirname, '../../../resources/templates/keepalived-haproxy.keelson.yaml'),
  'utf8',
);

function withMode(line: string) {
  const text = template.replace('    kubeProxyMode: nftables\n', line);
  const parsed = parseProject(text);
  if (!parsed.ok) throw new Error('template does not parse');
  const findings = checkProject(parsed.project).findings;
  const init = allFiles(generatePlan(parsed.project, { keelsonVersion: 't' })).find((f) =>
    f.path.endsWith('kubeadm-init.yaml'),
  )!.content;
  const proxy = parseAllDocuments(init)
    .map((d) => d.toJS() as { kind: string; mode?: string })
    .find((d) => d.kind === 'KubeProxyConfiguration')!;
  return { project: parsed.project, findings, proxy };
}

describe('kube-proxy mode: iptables by default, nftables, ipvs with its deprecation warning', () => {
  test('a project that names no mode gets iptables, without a finding about it', () => {
    expect(template).toContain('    kubeProxyMode: nftables\n'); // the line removed below
    const { project, findings, proxy } = withMode('');
    expect(project.spec.networking.kubeProxyMode).toBe('iptables');
    expect(proxy.mode).toBe('iptables');
    expect(
      findings.filter((f) => f.target.kind === 'field' && f.target.path.includes('kubeProxyMode')),
    ).toEqual([]);
  });

  test('nftables reaches kube-proxy as written, without a warning', () => {
    const { findings, proxy } = withMode('    kubeProxyMode: nftables\n');
    expect(proxy.mode).toBe('nftables');
    expect(findings.map((f) => f.code)).not.toContain('PROXY_IPVS_DEPRECATED');
  });

  test('ipvs still plans, with a warning that it is deprecated since 1.35 and what to use instead', () => {
    const { findings, proxy } = withMode('    kubeProxyMode: ipvs\n');
    expect(proxy.mode).toBe('ipvs');
    const warning = findings.find((f) => f.code === 'PROXY_IPVS_DEPRECATED')!;
    expect(warning.severity).toBe('warning');
    expect(warning.message).toMatch(/deprecated since Kubernetes 1\.35/);
    expect(warning.fix).toMatch(/nftables/);
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  });
});
