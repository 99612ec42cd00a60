import { describe, expect, it } from 'vitest';
import {
  common,
  editLabels,
  editTaints,
  MIXED,
  mixedLabelKeys,
  mixedTaints,
  parseKeyFile,
  parsePort,
  parseUser,
  sharedLabels,
  sharedTaints,
  updateHosts,
} from '../../../renderer/src/store/bulk-edit';
import { baseProject, host } from '../validation/build';

const a = host('a', '10.0.0.1', ['worker'], {
  labels: { zone: 'x', rack: '1', gpu: 'yes' },
  taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }],
});
const b = host('b', '10.0.0.2', ['worker'], {
  labels: { zone: 'x', rack: '2' },
  taints: [
    { key: 'dedicated', value: 'infra', effect: 'NoSchedule' },
    { key: 'slow', effect: 'PreferNoSchedule' },
  ],
});

describe('multi-host edits', () => {
  it('shows a value only when every host has it', () => {
    expect(common([22, 22])).toBe(22);
    expect(common([22, 2222])).toBe(MIXED);
    expect(common([])).toBe(MIXED);
  });

  it('edits only the labels and taints all hosts share', () => {
    expect(sharedLabels([a, b])).toEqual({ zone: 'x' });
    expect(mixedLabelKeys([a, b])).toEqual(['gpu', 'rack']);
    // The user replaced zone=x by zone=y and added tier=web: rack and gpu stay per host.
    const next = { zone: 'y', tier: 'web' };
    expect(editLabels(a.labels, { zone: 'x' }, next)).toEqual({
      zone: 'y',
      rack: '1',
      gpu: 'yes',
      tier: 'web',
    });
    expect(editLabels(b.labels, { zone: 'x' }, {})).toEqual({ rack: '2' });

    expect(sharedTaints([a, b])).toEqual([{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }]);
    expect(mixedTaints([a, b])).toEqual(['slow:PreferNoSchedule']);
    expect(editTaints(b.taints, sharedTaints([a, b]), [])).toEqual([
      { key: 'slow', effect: 'PreferNoSchedule' },
    ]);
  });

  it('changes the named hosts only', () => {
    const p = updateHosts(baseProject(), ['cp1', 'worker2'], (h) => ({
      ...h,
      ssh: { ...h.ssh, port: 2222 },
    }));
    expect(p.spec.hosts.map((h) => h.ssh.port)).toEqual([2222, 22, 22, 22, 2222]);
  });

  it('says what is wrong with a typed value', () => {
    expect(parsePort('2222')).toEqual({ ok: true, value: 2222 });
    for (const bad of ['0', '65536', '22.5', 'ssh', ''])
      expect(parsePort(bad)).toMatchObject({ ok: false, error: expect.stringContaining('1 to 65535') });
    expect(parseUser(' admin ')).toEqual({ ok: true, value: 'admin' });
    expect(parseUser('rm -rf')).toMatchObject({ ok: false, error: expect.stringContaining('SSH user') });
    expect(parseKeyFile('~/.ssh/lab')).toEqual({ ok: true, value: '~/.ssh/lab' });
    expect(parseKeyFile('a\u0000b')).toMatchObject({
      ok: false,
      error: expect.stringContaining('control character'),
    });
    expect(parseKeyFile('  ')).toMatchObject({ ok: false, error: expect.stringContaining('empty') });
  });
});
