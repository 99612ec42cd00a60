import { describe, expect, it } from 'vitest';
import { versionChoices } from '../../../renderer/src/panels/versionChoices';

describe('Kubernetes version choices', () => {
  it('offers the maintained releases, newest first, with their end-of-life dates', () => {
    expect(versionChoices('1.37', '2026-11-20')).toEqual([
      { value: '1.37', label: '1.37 (newest) — supported until 2027-10-28' },
      { value: '1.36', label: '1.36 — supported until 2027-06-28' },
      { value: '1.35', label: '1.35 — supported until 2027-02-28' },
    ]);
  });

  it('shows what the file holds when it is not one of them, and says what it is', () => {
    expect(versionChoices('1.37.2', '2026-11-20')[0]).toEqual({
      value: '1.37.2',
      label: '1.37.2 — pinned patch of 1.37',
    });
    expect(versionChoices('1.34', '2026-11-20')[0]!.label).toBe(
      '1.34 — end of life since 2026-10-27: choose a maintained release',
    );
    expect(versionChoices('latest', '2026-11-20')[0]!.label).toContain('not a Kubernetes release');
    expect(versionChoices('1.34', '2026-11-20')).toHaveLength(4);
  });

  it('says "ended" once a listed release is past its date', () => {
    expect(versionChoices('1.35', '2027-03-01').find((c) => c.value === '1.35')!.label).toBe(
      '1.35 — ended 2027-02-28',
    );
  });
});
