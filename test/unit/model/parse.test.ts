import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClusterProject } from '../../../shared/model/cluster';
import {
  checkProjectObject,
  emptyProject,
  parseProject,
  serializeProject,
} from '../../../shared/model/parse';
import { projectArb } from '../validation/arbitrary';

const GOOD = `apiVersion: keelson.dev/v1alpha1
kind: Cluster
metadata:
  name: lab
spec:
  kubernetesVersion: "1.37"
  hosts:
    - name: cp1
      address: 10.77.0.11
      roles: [control-plane]
    - name: worker1
      address: 10.77.0.21
      roles: [worker]
  apiEndpoint:
    pattern: node-local
`;

function errorsOf(text: string) {
  const result = parseProject(text, 'lab.keelson.yaml');
  if (result.ok) throw new Error('expected errors');
  return result.errors;
}

describe('parseProject', () => {
  it('reads a valid file and fills defaults', () => {
    const result = parseProject(GOOD);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.project.spec.hosts.map((h) => h.name)).toEqual(['cp1', 'worker1']);
    expect(result.project.spec.networking.podCidr).toBe('10.244.0.0/16');
    expect(result.project.spec.hosts[0]!.ssh.user).toBe('root');
  });

  it('names an unknown field by path and line', () => {
    const text = GOOD.replace(
      '      address: 10.77.0.21\n',
      '      address: 10.77.0.21\n      adress: 10.77.0.22\n',
    );
    expect(errorsOf(text)).toEqual([
      expect.objectContaining({
        path: 'spec.hosts[1].adress',
        line: 13,
        message: expect.stringMatching(/unknown field "adress"/),
      }),
    ]);
  });

  it('names a wrong type by path and line, with the quoting hint for versions', () => {
    const text = GOOD.replace('kubernetesVersion: "1.37"', 'kubernetesVersion: 1.37');
    const [error] = errorsOf(text);
    expect(error).toMatchObject({ path: 'spec.kubernetesVersion', line: 6 });
    expect(error!.message).toMatch(/expected string, got 1\.37.*quotes/);
  });

  it('reports a missing required field at its parent', () => {
    const text = GOOD.replace('      address: 10.77.0.11\n', '');
    expect(errorsOf(text)).toEqual([
      expect.objectContaining({
        path: 'spec.hosts[0].address',
        line: 8,
        message: expect.stringMatching(/missing required field/),
      }),
    ]);
  });

  it('lists every schema error, in file order', () => {
    const text = GOOD.replace('pattern: node-local', 'pattern: haproxy').replace(
      'roles: [worker]',
      'roles: [wroker]',
    );
    const errors = errorsOf(text);
    expect(errors.map((e) => e.path)).toEqual(['spec.hosts[1].roles[0]', 'spec.apiEndpoint.pattern']);
    expect(errors.map((e) => e.line)).toEqual([13, 15]);
    expect(errors[1]!.message).toMatch(/must be one of .*keepalived-haproxy/);
  });

  it('turns broken YAML into one message with its line, no stack', () => {
    const text = GOOD.replace('    - name: worker1\n', '    - name: worker1\n   bad: [\n');
    const errors = errorsOf(text);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^not valid YAML: /);
    expect(errors[0]!.line).toBeGreaterThanOrEqual(10);
    expect(errors[0]!.message).not.toMatch(/\n|at .*\.js/);
  });

  it('rejects duplicate keys, which YAML would otherwise resolve silently', () => {
    const text = GOOD.replace('  name: lab\n', '  name: lab\n  name: other\n');
    expect(errorsOf(text)[0]).toMatchObject({
      line: 5,
      message: expect.stringMatching(/not valid YAML: .*unique/i),
    });
  });

  it('says so for an empty file', () => {
    expect(errorsOf('')[0]!.message).toMatch(/empty/);
    expect(errorsOf('# only a comment\n')[0]!.message).toMatch(/empty/);
  });

  it('never throws on random text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.constantFrom('{', '- [', 'a: *x', ': :', '%YAML 9\n---'),
        ),
        (text) => {
          const result = parseProject(text);
          if (!result.ok) for (const e of result.errors) expect(e.line).toBeGreaterThanOrEqual(1);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never throws on random YAML mutations of a valid file', () => {
    fc.assert(
      fc.property(fc.nat(GOOD.length), fc.string({ maxLength: 6 }), (at, insert) => {
        const result = parseProject(GOOD.slice(0, at) + insert + GOOD.slice(at));
        if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('stops alias bombs instead of expanding them', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`),
    ].join('\n');
    const result = parseProject(bomb);
    expect(result.ok).toBe(false);
  });
});

describe('serializeProject', () => {
  it('round-trips random valid projects', () => {
    const valid = projectArb.filter((p) => ClusterProject.safeParse(p).success);
    fc.assert(
      fc.property(valid, (input) => {
        const project = ClusterProject.parse(input);
        const again = parseProject(serializeProject(project));
        expect(again).toEqual({ ok: true, project });
      }),
      { numRuns: 300 },
    );
  });

  it('is stable: saving twice gives the same text, labels sorted', () => {
    const project = emptyProject('lab');
    project.spec.hosts.push({
      name: 'w1',
      address: '10.77.0.21',
      roles: ['worker'],
      ssh: { port: 22, user: 'root', auth: { type: 'agent' } },
      labels: { zone: 'b', arch: 'amd64' },
      taints: [],
    });
    const text = serializeProject(project);
    expect(text.indexOf('arch:')).toBeLessThan(text.indexOf('zone:'));
    const reparsed = parseProject(text);
    expect(reparsed.ok && serializeProject(reparsed.project)).toBe(text);
    expect(text.startsWith('apiVersion: keelson.dev/v1alpha1\nkind: Cluster\n')).toBe(true);
  });
});

describe('checkProjectObject', () => {
  it('reports paths for an object that is not a project', () => {
    const result = checkProjectObject({ ...emptyProject('x'), extra: 1 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatchObject({ path: 'extra', line: 0 });
  });
});

describe('parseProject on unclosed quotes', () => {
  it('says the problem may start above when YAML only notices it at the end', () => {
    const result = parseProject(
      'apiVersion: keelson.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: "unterminated\n',
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]!.message).toMatch(/unclosed quote or bracket above/);
  });
});
