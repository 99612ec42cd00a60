import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run';
import { FINDING_CODES } from '../../../shared/validation';

async function keelson(...args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => (out += t), err: (t) => (err += t), version: 'test' });
  return { code, out, err };
}

const TEMPLATES = 'resources/templates';
/** What each template is meant to show beyond info notes; anything else is a template bug. */
const INTENDED: Record<string, string[]> = {
  'empty.keelson.yaml': ['NO_HOSTS'],
  'keepalived-haproxy.keelson.yaml': [],
  'keepalived-nginx.keelson.yaml': [],
  'nginx-lb-two-masters.keelson.yaml': ['CP_COUNT_TWO', 'LB_SINGLE_HOST'],
  'node-local-bastion.keelson.yaml': [],
  'dedicated-lb-external-etcd.keelson.yaml': [],
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keelson-validate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('keelson validate on the shipped templates', () => {
  it('covers every template file', async () => {
    expect((await readdir(TEMPLATES)).filter((f) => f.endsWith('.keelson.yaml')).sort()).toEqual(
      Object.keys(INTENDED).sort(),
    );
  });

  for (const [name, intended] of Object.entries(INTENDED)) {
    it(`${name}: no errors, only the intended warnings`, async () => {
      const { code, out } = await keelson('validate', join(TEMPLATES, name), '--json');
      const report = JSON.parse(out) as {
        ok: boolean;
        kubernetes: string;
        findings: { code: string; severity: string }[];
      };
      expect(report.ok).toBe(true);
      // Every template is on the newest release, and nothing says it is past end of life. This is
      // judged on the real date on purpose: after 2027-10-28 it fails until the templates move on.
      expect(report.kubernetes).toMatch(
        /^Kubernetes 1\.37 \(released 2026-08-26, maintained until 2027-10-28\)$/,
      );
      expect(report.findings.map((f) => f.code)).not.toContain('K8S_VERSION_END_OF_LIFE');
      expect(report.findings.map((f) => f.code)).not.toContain('K8S_VERSION_UNSUPPORTED');
      expect(code).toBe(0);
      expect(report.findings.filter((f) => f.severity !== 'info').map((f) => f.code)).toEqual(intended);
    });
  }

  it('prints the 2-master quorum trap with its fix in text form', async () => {
    const { code, out } = await keelson('validate', join(TEMPLATES, 'nginx-lb-two-masters.keelson.yaml'));
    expect(code).toBe(0);
    expect(out).toMatch(/^\S+nginx-lb-two-masters\.keelson\.yaml: Kubernetes 1\.37 \(released/);
    expect(out).toMatch(/^warning CP_COUNT_TWO +spec\.hosts: .*worse than one/m);
    expect(out).toMatch(/fix: Use 3/);
    expect(out).toMatch(/0 errors, 2 warnings, 0 info\n$/);
  });
});

describe('keelson validate on problems', () => {
  it('exits 1 on design errors, listing severity, code, target, message and fix', async () => {
    const text = (await readFile(join(TEMPLATES, 'keepalived-haproxy.keelson.yaml'), 'utf8'))
      .replace('port: 8443', 'port: 6443')
      .replace('vip: 10.77.0.10', 'vip: 10.78.0.10');
    const file = join(dir, 'clash.keelson.yaml');
    await writeFile(file, text);
    const { code, out } = await keelson('validate', file);
    expect(code).toBe(1);
    expect(out).toMatch(/^error +LB_PORT_CLASH +spec\.apiEndpoint\.port: .*6443/m);
    expect(out).toMatch(/^error +VIP_OUTSIDE_SUBNET +spec\.apiEndpoint\.vip: .*10\.78\.0\.10/m);
    expect(out).toMatch(/fix: Use another port/);
    expect(out).toMatch(/2 errors/);
  });

  it('gives one line-numbered message for broken YAML, no stack trace', async () => {
    const file = join(dir, 'broken.keelson.yaml');
    await writeFile(
      file,
      'apiVersion: keelson.dev/v1alpha1\nkind: Cluster\nmetadata:\n\tname: tabbed\nspec: {}\n',
    );
    const { code, out, err } = await keelson('validate', file);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:1: not valid YAML: Tabs`),
    );
    expect(err).not.toMatch(/\bat .*\.(js|ts)/);
  });

  it('points schema errors at path and line', async () => {
    const file = join(dir, 'typo.keelson.yaml');
    const text = (await readFile(join(TEMPLATES, 'keepalived-nginx.keelson.yaml'), 'utf8')).replace(
      '    port: 16443\n',
      '    prot: 16443\n',
    );
    await writeFile(file, text);
    const line = text.split('\n').findIndex((l) => l.includes('prot:')) + 1;
    const { code, err } = await keelson('validate', file);
    expect(code).toBe(1);
    expect(err).toContain(`${file}:${line}:5: spec.apiEndpoint.prot: unknown field "prot"`);
  });

  it('says clearly when the file is missing', async () => {
    const { code, err } = await keelson('validate', join(dir, 'nope.keelson.yaml'));
    expect(code).toBe(1);
    expect(err).toBe(`keelson validate: ${join(dir, 'nope.keelson.yaml')}: no such file\n`);
  });

  it('reports broken files as JSON too when asked', async () => {
    const file = join(dir, 'broken2.keelson.yaml');
    await writeFile(file, 'kind: [\n');
    const { code, out } = await keelson('validate', file, '--json');
    expect(code).toBe(1);
    expect(JSON.parse(out)).toMatchObject({ ok: false, errors: [{ line: expect.any(Number) }] });
  });

  it('needs exactly one file (exit 2 with usage)', async () => {
    const { code, err } = await keelson('validate');
    expect(code).toBe(2);
    expect(err).toMatch(/Usage: keelson validate FILE/);
    expect((await keelson('validate', '--frobnicate', 'x')).code).toBe(2);
  });

  it('prints the table of finding codes', async () => {
    const { code, out } = await keelson('validate', '--codes');
    expect(code).toBe(0);
    for (const name of Object.keys(FINDING_CODES)) expect(out).toContain(`| \`${name}\` |`);
  });
});
