import { describe, expect, test } from 'vitest';
import { ClusterProject } from '../../../shared/model/cluster';
import { generatePlan } from '../../../shared/plan/generate';
import { PATTERNS, project } from './fixtures';
import { allSteps } from './helpers';

const FAKE_SECRETS = {
  'lab-vrrp': 'Zq7#vrrp',
  'ssh-pass': 'S3cret-ssh-Pa55',
  'sudo-pass': 'sudo-Zz-9911',
  'key-pass': 'passphrase-4242',
};

/** Every plan variant, with secret refs everywhere the model has them and the values at hand. */
function plans() {
  const out: { name: string; text: string; plan: ReturnType<typeof generatePlan> }[] = [];
  for (const pattern of PATTERNS)
    for (const etcd of ['stacked', 'external'] as const)
      for (const os of ['debian', 'rhel'] as const)
        for (const version of ['1.35', '1.37']) {
          const p = project({
            pattern,
            etcd,
            version,
            kubeProxyMode: version === '1.37' ? 'nftables' : 'ipvs',
          });
          const hosts = p.spec.hosts.map((h, i) => ({
            ...h,
            ssh: {
              ...h.ssh,
              user: 'deploy',
              auth:
                i % 2
                  ? { type: 'password' as const, passwordRef: 'ssh-pass' }
                  : { type: 'key' as const, keyFile: '~/.ssh/id', passphraseRef: 'key-pass' },
              sudoPasswordRef: 'sudo-pass',
            },
          }));
          const withRefs = ClusterProject.parse({ ...p, spec: { ...p.spec, hosts } });
          // A caller that has resolved secrets might pass them along; the plan must still carry names only.
          const options = { keelsonVersion: 't', osFamily: os, secrets: FAKE_SECRETS } as Parameters<
            typeof generatePlan
          >[1];
          const plan = generatePlan(withRefs, options);
          out.push({ name: `${pattern}/${etcd}/${os}/${version}`, text: JSON.stringify(plan), plan });
        }
  return out;
}

describe('nothing outdated or secret in any plan', () => {
  const all = plans();

  test('no legacy package repositories', () => {
    for (const { name, text } of all)
      expect(text, name).not.toMatch(/apt\.kubernetes\.io|packages\.cloud\.google\.com|yum\.kubernetes\.io/);
  });

  test('no removed flags or checks', () => {
    for (const { name, text } of all) {
      expect(text, name).not.toMatch(/--delete-local-data|--experimental-upload-certs|ssl-hello-chk/);
      // nf_conntrack_ipv4 may never be required (gone since kernel 4.19).
      expect(text, name).not.toContain('nf_conntrack_ipv4');
    }
  });

  test('super-admin.conf is only mounted by kube-vip during init, never exported', () => {
    for (const { name, plan } of all)
      for (const s of allSteps(plan)) {
        const mentions = `${s.script}${s.files.map((f) => f.content).join('')}`.includes('super-admin.conf');
        if (mentions) {
          expect(name.startsWith('kube-vip/'), `${name} ${s.id}`).toBe(true);
          expect(['load-balancer/kube-vip/cp1', 'control-plane-init/kubeadm-init/cp1']).toContain(s.id);
        }
        if (s.outputs?.some((o) => o.name.includes('kubeconfig')))
          expect(s.script).not.toContain('super-admin');
      }
  });

  test('no pipe into a reader that stops early: under pipefail its writer dies of SIGPIPE and the step fails at random', () => {
    // `ip -o addr show | grep -q VIP` failed a CI run although the VIP was up: grep exited at the
    // match, ip got SIGPIPE (141), and pipefail turned the match into a failure.
    const earlyExit = /\|\s*(grep\s+(-[A-Za-z]*[qm]|--quiet|--max-count)|head\b)/;
    for (const { name, plan } of all)
      for (const s of allSteps(plan)) {
        const scripts = [
          s.script,
          s.check ?? '',
          ...s.files.filter((f) => f.mode === '0755').map((f) => f.content),
        ];
        for (const script of scripts)
          for (const line of script.split('\n'))
            expect(line, `${name} ${s.id}: ${line.trim()}`).not.toMatch(earlyExit);
      }
  });

  test('no bootstrap token is hard-coded', () => {
    for (const { name, text } of all) expect(text, name).not.toMatch(/[a-z0-9]{6}\.[a-z0-9]{16}/);
  });

  test('secret values never appear; their names do, as placeholders', () => {
    for (const { name, text, plan } of all) {
      for (const value of Object.values(FAKE_SECRETS)) expect(text, name).not.toContain(value);
      const steps = allSteps(plan);
      expect(
        steps.some((s) => s.secrets.includes('bootstrap-token')),
        name,
      ).toBe(true);
      if (/keepalived|dedicated-lb/.test(name)) expect(text, name).toContain('{{secret:lab-vrrp}}');
      for (const s of steps) {
        const used = [
          ...`${s.script}${s.check ?? ''}${s.files.map((f) => f.content).join('')}`.matchAll(
            /\{\{secret:([^}]+)\}\}/g,
          ),
        ].map((m) => m[1]);
        expect(s.secrets.sort(), `${name} ${s.id}`).toEqual([...new Set(used)].sort());
        // Files carrying a secret are readable by root only.
        for (const f of s.files)
          if (f.content.includes('{{secret:')) expect(f.mode, `${s.id} ${f.path}`).toBe('0600');
      }
    }
  });
});
