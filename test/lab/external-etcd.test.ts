// The generated external-etcd phase run for real on lab hosts h1–h3 (etcd members) and h4 (the
// first control plane): the CA step, three member steps with TLS server/peer certificates and the
// systemd unit, the health step, and the apiserver's etcd client certificate — checked by a real
// etcd cluster over TLS.
//
// STAND-IN: the plan fetches etcd v3.6.x from the offline mirror; none can be downloaded here, so
// the mirror this test serves (on the lab's root address) packs Debian bookworm's etcd 3.4.23
// binaries under that file name (`etcd-3.4-as-mirror-tarball`). Everything the plan generates —
// certificates, flags, unit, etcdctl calls — runs unchanged against that real etcd; only the
// version differs, and this test says so in its output.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, ClusterProject } from '../../shared/model/cluster';
import { generatePlan } from '../../shared/plan';
import { etcdReleaseTag, parseKubernetesVersion, releaseOf } from '../../shared/kubernetes/releases';
import { ETCD_CA_DAYS, ETCD_CERT_DAYS } from '../../shared/plan/etcd';
import type { Plan, PlanStep } from '../../shared/plan/types';
import { startLab, type Lab } from './lab';
import { phaseSteps, runPlanCheck, runPlanStep, sq, stepById, type Known } from './plan-runner';

const KUBERNETES = '1.35';
const MEMBERS = ['h1', 'h2', 'h3'];

/** etcd-v3.6.x-linux-amd64.tar.gz as the mirror would hold it, made of Debian's etcd 3.4 binaries. */
function etcd34AsMirrorTarball(version: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-etcd-mirror-'));
  try {
    const top = join(dir, `etcd-${version}-linux-amd64`);
    execFileSync('mkdir', ['-p', top]);
    execFileSync('cp', ['/usr/bin/etcd', '/usr/bin/etcdctl', top]);
    // etcd 3.4 has no etcdutl; the plan installs it but never runs it.
    writeFileSync(
      join(top, 'etcdutl'),
      '#!/bin/sh\necho "etcdutl stand-in: etcd 3.4 has no etcdutl" >&2\nexit 1\n',
      { mode: 0o755 },
    );
    execFileSync('tar', ['-czf', join(dir, 'etcd.tar.gz'), '-C', dir, `etcd-${version}-linux-amd64`]);
    return readFileSync(join(dir, 'etcd.tar.gz'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('external etcd from the generated plan, on three lab hosts', () => {
  let lab: Lab;
  let mirror: Server | undefined;
  let plan: Plan;
  const known: Required<Known> = { secrets: {}, values: {} };
  const version = etcdReleaseTag(releaseOf(parseKubernetesVersion(KUBERNETES)!)!);
  const step = (id: string): PlanStep => stepById(plan, id);
  const requests: string[] = [];

  beforeAll(async () => {
    lab = await startLab({ hosts: 4, log: (line) => console.log(`lab: ${line}`) });
    try {
      const tarball = etcd34AsMirrorTarball(version);
      const path = `/etcd/${version}/etcd-${version}-linux-amd64.tar.gz`;
      mirror = createServer((req, res) => {
        requests.push(req.url ?? '');
        if (req.url !== path) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'application/gzip' }).end(tarball);
      });
      await new Promise<void>((resolve) => mirror!.listen(0, lab.rootAddress, resolve));
      const mirrorUrl = `http://${lab.rootAddress}:${(mirror.address() as AddressInfo).port}`;
      console.log(
        `etcd-3.4-as-mirror-tarball: Debian's etcd 3.4.23 served as ${mirrorUrl}${path} (the plan wants ${version})`,
      );
      plan = generatePlan(
        ClusterProject.parse({
          apiVersion: API_VERSION,
          kind: 'Cluster',
          metadata: { name: 'lab-etcd' },
          spec: {
            kubernetesVersion: KUBERNETES,
            hosts: lab.hosts.map((h) => ({
              name: h.name,
              address: h.address,
              roles: MEMBERS.includes(h.name) ? ['etcd'] : ['control-plane'],
            })),
            apiEndpoint: { pattern: 'kube-vip', vip: `10.77.${lab.slot}.100`, port: 6443 },
            etcd: { mode: 'external' },
            packages: { source: 'mirror', mirrorUrl },
          },
        }),
        { keelsonVersion: 'lab-test' },
      );
      // Only the offline repository: the steps install what they miss (openssl) from it.
      await Promise.all(lab.hosts.map((h) => lab.useOfflineRepository(h.name)));
    } catch (error) {
      await lab.stop();
      throw error;
    }
  }, 300_000);

  afterAll(async () => {
    try {
      await lab?.stop();
    } finally {
      mirror?.close();
    }
  });

  it('the CA step hands over the CA certificate as a value and its key as a secret', async () => {
    expect(phaseSteps(plan, 'external-etcd').map((s) => s.id)).toEqual([
      'external-etcd/ca/h1',
      ...MEMBERS.map((h) => `external-etcd/member/${h}`),
      'external-etcd/health/h1',
      'external-etcd/apiserver-client/h4',
      'external-etcd/expiry/h4',
    ]);
    const ca = step('external-etcd/ca/h1');
    expect(ca.outputs?.map((o) => [o.name, o.secret])).toEqual([
      ['etcd-ca-crt', false],
      ['etcd-ca-key', true],
    ]);
    await runPlanStep(lab, ca);
    const read = (name: string) => lab.sh('h1', `cat /run/keelson/outputs/${sq(name)}`);
    known.values['etcd-ca-crt'] = await read('etcd-ca-crt');
    known.secrets['etcd-ca-key'] = await read('etcd-ca-key');
    expect(known.values['etcd-ca-crt']).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(known.secrets['etcd-ca-key']).toMatch(/^-----BEGIN (RSA )?PRIVATE KEY-----/);
    expect((await lab.sh('h1', 'stat -c %a /run/keelson/outputs/etcd-ca-key')).trim()).toBe('600');
    // Re-running keeps the same CA (members signed earlier stay valid).
    await runPlanStep(lab, ca);
    expect(await read('etcd-ca-crt')).toBe(known.values['etcd-ca-crt']);
  }, 120_000);

  it('three members form a healthy TLS cluster; only the first keeps the CA key', async () => {
    await Promise.all(MEMBERS.map((h) => runPlanStep(lab, step(`external-etcd/member/${h}`), known)));
    expect(requests.filter((r) => r.endsWith('.tar.gz'))).toHaveLength(3);
    const health = await runPlanStep(lab, step('external-etcd/health/h1'), known);
    for (const h of lab.hosts.filter((x) => MEMBERS.includes(x.name)))
      expect(health.stdout).toMatch(
        new RegExp(`\\| *${h.name} *\\| *https://${h.address.replace(/\./g, '\\.')}:2380 *\\|`),
      );
    for (const h of MEMBERS) {
      expect((await runPlanCheck(lab, step(`external-etcd/member/${h}`), known)).code, `${h} done`).toBe(0);
      expect((await lab.sh(h, 'systemctl is-active etcd')).trim()).toBe('active');
      expect(
        (await lab.exec(h, 'test -e /etc/etcd/pki/ca.key.keelson')).code,
        `${h} handed-over key removed`,
      ).not.toBe(0);
      expect((await lab.exec(h, 'test -e /etc/etcd/pki/ca.key')).code === 0, `${h} holds ca.key`).toBe(
        h === 'h1',
      );
      // The server certificate names the member's own address (SAN), checked by openssl itself.
      const address = lab.host(h).address;
      expect(
        (await lab.exec(h, `openssl x509 -in /etc/etcd/pki/server.crt -noout -checkip ${address}`)).stdout,
      ).toContain('does match certificate');
    }
    expect((await runPlanCheck(lab, step('external-etcd/health/h1'), known)).code).toBe(0);
  }, 180_000);

  it("the apiserver's etcd client certificate on the control plane is accepted; no certificate is refused", async () => {
    await runPlanStep(lab, step('external-etcd/apiserver-client/h4'), known);
    const pki = '/etc/kubernetes/pki';
    const h1 = lab.host('h1').address;
    const withCert = await lab.exec(
      'h4',
      `curl -sS --max-time 5 --cacert ${pki}/etcd/ca.crt --cert ${pki}/apiserver-etcd-client.crt --key ${pki}/apiserver-etcd-client.key https://${h1}:2379/health`,
    );
    expect(withCert.stdout).toMatch(/"health":\s*"true"/);
    const without = await lab.exec(
      'h4',
      `curl -sS --max-time 5 --cacert ${pki}/etcd/ca.crt https://${h1}:2379/health`,
    );
    expect(without.code).not.toBe(0);
    expect((await lab.exec('h4', `test -e ${pki}/etcd/ca.key.keelson`)).code).not.toBe(0);
  }, 120_000);

  /** notAfter of each certificate, from the expiry step's record (`name=ISO date` words). */
  async function expiryRecord(): Promise<Record<string, string>> {
    await runPlanStep(lab, step('external-etcd/expiry/h4'), known);
    const record = (await lab.sh('h4', 'cat /run/keelson/outputs/etcd-certificates-not-after')).trim();
    expect((await lab.sh('h4', 'cat /etc/kubernetes/keelson/etcd-certificates-not-after')).trim()).toBe(
      record,
    );
    return Object.fromEntries(record.split(' ').map((word) => word.split('=') as [string, string]));
  }
  const daysLeft = (iso: string) => (Date.parse(iso) - Date.now()) / 86_400_000;

  it('records when every certificate expires, as the members really serve them (5 years; CA 10)', async () => {
    const dates = await expiryRecord();
    expect(Object.keys(dates)).toEqual([
      'ca',
      'apiserver-etcd-client',
      ...MEMBERS.flatMap((h) => [`${h}.server`, `${h}.peer`]),
    ]);
    expect(daysLeft(dates.ca!)).toBeGreaterThan(ETCD_CA_DAYS - 1);
    expect(daysLeft(dates.ca!)).toBeLessThanOrEqual(ETCD_CA_DAYS);
    for (const [name, date] of Object.entries(dates).filter(([n]) => n !== 'ca')) {
      expect(daysLeft(date), name).toBeGreaterThan(ETCD_CERT_DAYS - 1);
      expect(daysLeft(date), name).toBeLessThanOrEqual(ETCD_CERT_DAYS);
    }
  }, 120_000);

  it("renews a member's certificates as the README says: remove them, run the phase's steps again", async () => {
    const served = async () =>
      lab.sh(
        'h4',
        `openssl s_client -connect ${lab.host('h2').address}:2379 -CAfile /etc/kubernetes/pki/etcd/ca.crt ` +
          '-cert /etc/kubernetes/pki/apiserver-etcd-client.crt -key /etc/kubernetes/pki/apiserver-etcd-client.key ' +
          '</dev/null 2>/dev/null | openssl x509 -noout -serial',
      );
    const before = await served();
    const datesBefore = await expiryRecord();
    await lab.sh('h2', 'cd /etc/etcd/pki && mv server.crt server.crt.old && mv peer.crt peer.crt.old');
    expect((await runPlanCheck(lab, step('external-etcd/member/h2'), known)).code).not.toBe(0);
    // The CA step always runs (it keeps the CA and hands its key over); the member step signs what is missing.
    await runPlanStep(lab, step('external-etcd/ca/h1'), known);
    await runPlanStep(lab, step('external-etcd/member/h2'), known);
    await runPlanStep(lab, step('external-etcd/health/h1'), known);
    // etcd serves the new certificate to new connections without a restart.
    expect(await served()).not.toBe(before);
    const datesAfter = await expiryRecord();
    expect(Date.parse(datesAfter['h2.server']!)).toBeGreaterThan(Date.parse(datesBefore['h2.server']!));
    expect(datesAfter['h1.server']).toBe(datesBefore['h1.server']);
  }, 180_000);
});
