import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClusterProject } from '../../../shared/model/cluster';
import { checkProjectObject, parseProject } from '../../../shared/model/parse';
import { validateCluster, type Finding } from '../../../shared/validation';
import { HOSTILE, hostileArb } from '../support/hostile';
import { STRING_FIELDS, fullProject, schemaStringPaths, type StringField } from '../support/string-fields';

/** What validation says about a project with `value` in `field`. */
export function verdictFor(field: StringField, value: string) {
  const input = fullProject();
  field.set(input, value);
  const checked = checkProjectObject(input);
  if (!checked.ok) return { kind: 'schema' as const, errors: checked.errors };
  const errors = validateCluster(checked.project).filter((f) => f.severity === 'error');
  if (errors.length > 0) return { kind: 'finding' as const, findings: errors, project: checked.project };
  return { kind: 'accepted' as const, project: checked.project };
}

function namesField(f: Finding, field: StringField, project: ClusterProject): boolean {
  if (f.target.kind === 'field') return f.target.path.startsWith(field.path);
  // Host-level findings (HOST_NAME_INVALID, SSH_VIA_UNKNOWN…) name the host the field belongs to.
  return field.path.startsWith('spec.hosts[0]') && f.target.name === project.spec.hosts[0]!.name;
}

/** Rejected, with an error that names the field — or accepted (the plan tests check those). */
function expectNamedOrAccepted(field: StringField, value: string): 'rejected' | 'accepted' {
  const verdict = verdictFor(field, value);
  const shown = JSON.stringify(value.slice(0, 60));
  if (verdict.kind === 'schema') {
    expect(
      verdict.errors.some((e) => e.path.startsWith(field.path)),
      `${field.pattern} = ${shown}: schema errors ${JSON.stringify(verdict.errors.slice(0, 3))}`,
    ).toBe(true);
    for (const e of verdict.errors) expect(e.path + e.message).not.toMatch(/[\p{Cc}\u2028\u2029]/u);
    return 'rejected';
  }
  if (verdict.kind === 'finding') {
    expect(
      verdict.findings.some((f) => namesField(f, field, verdict.project)),
      `${field.pattern} = ${shown}: findings ${JSON.stringify(verdict.findings.slice(0, 3))}`,
    ).toBe(true);
    return 'rejected';
  }
  return 'accepted';
}

describe('every string field against hostile values', () => {
  it('the field list covers every string the schema holds', () => {
    expect(STRING_FIELDS.map((f) => f.pattern).sort()).toEqual(schemaStringPaths().sort());
  });

  it('the base project is valid and clean, so any rejection comes from the hostile value', () => {
    for (const field of STRING_FIELDS) {
      const input = fullProject();
      const checked = checkProjectObject(input);
      expect(checked.ok, field.pattern).toBe(true);
      if (checked.ok)
        expect(validateCluster(checked.project).filter((f) => f.severity === 'error')).toEqual([]);
    }
  });

  it('no field takes a control character, a Unicode separator or a placeholder', () => {
    const never = ['a\nb', '\0', 'x\x1b[31m', 'x\u2028', 'x\u202e', 'x\r', '{{secret:etcd-ca-key}}', 'x\t'];
    for (const field of STRING_FIELDS)
      for (const value of never) expect(expectNamedOrAccepted(field, value), field.pattern).toBe('rejected');
  });

  it('every listed hostile string is rejected naming the field, or accepted', () => {
    let rejected = 0;
    for (const field of STRING_FIELDS)
      for (const value of HOSTILE) if (expectNamedOrAccepted(field, value) === 'rejected') rejected++;
    console.log(
      `hostile list: ${rejected} of ${STRING_FIELDS.length * HOSTILE.length} field/value pairs rejected`,
    );
    expect(rejected).toBeGreaterThan(STRING_FIELDS.length * HOSTILE.length * 0.8);
  });

  it('random hostile strings: rejected naming the field, or accepted (fast-check)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STRING_FIELDS), hostileArb, (field, value) => {
        expectNamedOrAccepted(field, value);
      }),
      { numRuns: 2000 },
    );
  });

  it('a control character in a hand-edited file is reported with its path and line, not echoed', () => {
    const text = [
      'apiVersion: keelson.dev/v1alpha1',
      'kind: Cluster',
      'metadata:',
      '  name: lab',
      'spec:',
      '  kubernetesVersion: "1.35"',
      '  apiEndpoint:',
      '    pattern: kube-vip',
      '    vip: 10.77.0.100',
      '    vrrp:',
      '      interface: "eth0\\n    notify_master \\"/bin/sh -c id\\""',
    ].join('\n');
    const parsed = parseProject(text, 'lab.keelson.yaml');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors[0]).toMatchObject({ path: 'spec.apiEndpoint.vrrp.interface', line: 11 });
    expect(parsed.errors[0]!.message).toContain('U+000A');
    expect(parsed.errors[0]!.message).not.toContain('notify_master');
  });

  it('a record key with a newline gets a one-line path', () => {
    const input = fullProject();
    (input.spec.hosts![0] as { labels: Record<string, string> }).labels = { 'a\nb': 'x' };
    const checked = checkProjectObject(input);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.errors[0]!.path).toBe('spec.hosts[0].labels["a\\nb"]');
    expect(checked.errors[0]!.message).toContain('U+000A');
  });
});
