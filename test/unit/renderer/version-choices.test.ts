import { describe, expect, it } from 'vitest';
import { versionChoices, versionHint } from '../../../renderer/src/panels/versionChoices';

describe('Kubernetes version choices', () => {
  it('offers the maintained releases, newest first, with their end-of-life dates', () => {
    expect(versionChoices('1.37', '2026-11-20')).toEqual([
      { value: '1.37', label: '1.37 — until 2027-10-28' },
      { value: '1.36', label: '1.36 — until 2027-06-28' },
      { value: '1.35', label: '1.35 — until 2027-02-28' },
    ]);
    expect(versionHint('1.37', '2026-11-20')).toBe(
      'Kubernetes 1.37 (released 2026-08-26, maintained until 2027-10-28), the newest release.',
    );
  });

  it('shows what the file holds when it is not one of them, and the hint says what it is', () => {
    expect(versionChoices('1.37.2', '2026-11-20')[0]).toEqual({
      value: '1.37.2',
      label: '1.37.2 — patch of 1.37',
    });
    expect(versionHint('1.37.2', '2026-11-20')).toContain('pinned to this patch of 1.37');
    expect(versionChoices('1.34', '2026-11-20')[0]!.label).toBe('1.34 — ended 2026-10-27');
    expect(versionHint('1.34', '2026-11-20')).toBe(
      'Kubernetes 1.34 reached its end of life on 2026-10-27: choose a maintained release.',
    );
    expect(versionChoices('latest', '2026-11-20')[0]!.label).toBe('latest — unknown');
    expect(versionHint('latest', '2026-11-20')).toContain('not a Kubernetes release Keelson knows');
    expect(versionChoices('1.34', '2026-11-20')).toHaveLength(4);
  });

  it('says "ended" once a listed release is past its date', () => {
    expect(versionChoices('1.35', '2027-03-01').find((c) => c.value === '1.35')!.label).toBe(
      '1.35 — ended 2027-02-28',
    );
    expect(versionHint('1.35', '2027-03-01')).toContain('end of life since 2027-02-28');
  });
});
