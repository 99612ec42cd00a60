import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Host } from '../../../shared/model/cluster';
import { MAX_RANGE, parseInventory } from '../../../shared/model/inventory';
import { nextFreeAddress } from '../../../shared/model/next-address';
import { baseProject, host, variant } from '../validation/build';

// baseProject: cp1-3 at 10.77.0.11-13, worker1-2 at .21-.22, VIP 10.77.0.10.

describe('parseInventory', () => {
  it('reads name, address and role per line, skipping blanks and comments', () => {
    const { hosts, problems } = parseInventory(
      '# rack 4\nworker7 10.77.0.27 worker\n\n  cp4\t10.77.0.14   control-plane,etcd  # new\nedge1 10.77.0.40\n',
      baseProject(),
    );
    expect(problems).toEqual([]);
    expect(hosts).toEqual([
      { name: 'worker7', address: '10.77.0.27', roles: ['worker'], line: 2 },
      { name: 'cp4', address: '10.77.0.14', roles: ['control-plane', 'etcd'], line: 4 },
      { name: 'edge1', address: '10.77.0.40', roles: ['worker'], line: 5 },
    ]);
  });

  it('names a range with the next free names of its role', () => {
    const { hosts, problems } = parseInventory('10.77.0.50-10.77.0.52\n10.77.0.60 cp', baseProject());
    expect(problems).toEqual([]);
    // worker1 and worker2 exist: the range continues from worker3.
    expect(hosts.map((h) => `${h.name}=${h.address}`)).toEqual([
      'worker3=10.77.0.50',
      'worker4=10.77.0.51',
      'worker5=10.77.0.52',
      'cp4=10.77.0.60',
    ]);
  });

  it('says which line is wrong and why, and keeps the good lines', () => {
    const text = [
      'w1 10.77.0.300', // 1: bad IP
      'cp1 10.77.0.90', // 2: name taken in the design
      'w2 10.77.0.10', // 3: the VIP
      'w3 10.77.0.91', // 4: fine
      'w4 10.77.0.91', // 5: address taken on line 4
      'W5 10.77.0.92', // 6: capital letters
      'w6 10.77.0.93 boss', // 7: not a role
      '10.77.1.1-10.77.2.1', // 8: too large
      '10.77.0.9-10.77.0.1', // 9: backwards
      'w7 10.77.0.94 worker extra', // 10: too many words
      'w8 127.0.0.1', // 11: loopback
      'w3 10.77.0.95', // 12: name taken on line 4
    ].join('\n');
    const { hosts, problems } = parseInventory(text, baseProject());
    expect(hosts.map((h) => h.name)).toEqual(['w3']);
    expect(problems.map((p) => p.line)).toEqual([1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12]);
    const says = (line: number) => problems.find((p) => p.line === line)!.message;
    expect(says(1)).toContain('"10.77.0.300" is not an IPv4 or IPv6 address');
    expect(says(2)).toContain('"cp1" already exists in the design');
    expect(says(3)).toContain('10.77.0.10 is already used in the design');
    expect(says(5)).toContain('already used on line 4');
    expect(says(6)).toContain('capital letters');
    expect(says(7)).toContain('"boss" is not a role');
    expect(says(8)).toContain(`at most ${MAX_RANGE}`);
    expect(says(9)).toContain('backwards');
    expect(says(10)).toContain('name address [role]');
    expect(says(11)).toContain('loopback');
    expect(says(12)).toContain('already exists on line 4');
  });

  it('reads a bad address at the start of a line as an address, and hyphenated names as names', () => {
    const { hosts, problems } = parseInventory('10.0.0.999\nworker-a 10.77.0.70', baseProject());
    expect(problems[0]).toMatchObject({ line: 1, message: expect.stringContaining('not an IPv4') });
    expect(hosts).toEqual([{ name: 'worker-a', address: '10.77.0.70', roles: ['worker'], line: 2 }]);
  });

  it('handles IPv6 hosts and ranges', () => {
    const project = variant((p) => (p.spec.hosts = []));
    const { hosts, problems } = parseInventory('v6a fd00::10\nfd00::fffe-fd00::1:1', project);
    expect(problems).toEqual([]);
    expect(hosts.map((h) => h.address)).toEqual([
      'fd00::10',
      'fd00::fffe',
      'fd00::ffff',
      'fd00::1:0',
      'fd00::1:1',
    ]);
  });

  it('refuses oversized pastes without reading them', () => {
    const lines = Array.from({ length: 6000 }, (_, i) => `h${i} 10.1.${i >> 8}.${i & 255}`).join('\n');
    expect(parseInventory(lines, baseProject()).problems[0]!.message).toContain('at most 5000');
    expect(parseInventory('x'.repeat(600_000), baseProject()).problems[0]!.message).toContain('characters');
  });

  it('never throws, and whatever it returns would be a valid, unique host', () => {
    const project = baseProject();
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: 'binary' }), (text) => {
        const { hosts, problems } = parseInventory(text, project);
        const names = [...project.spec.hosts.map((h) => h.name), ...hosts.map((h) => h.name)];
        expect(new Set(names).size).toBe(names.length);
        for (const p of problems) expect(p.line).toBeGreaterThan(0);
      }),
    );
  });

  it('accepts only lines it can fully check (fuzzed structured lines)', () => {
    const token = fc.oneof(
      fc.constantFrom(
        'cp1',
        'w-1',
        'x',
        '10.77.0.5',
        '10.77.0.256',
        '::1',
        'fd00::1',
        'worker',
        'lb,etcd',
        '1-2',
        '\u0000',
        '{{x}}',
      ),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(fc.array(fc.array(token, { maxLength: 4 }), { maxLength: 20 }), (rows) => {
        const text = rows.map((r) => r.join(' ')).join('\n');
        const { hosts } = parseInventory(text, baseProject());
        for (const h of hosts) {
          const { line: _line, ...rest } = h;
          expect(Host.safeParse(rest).success).toBe(true);
          expect(h.name).toMatch(/^[a-z0-9][a-z0-9.-]*$/);
        }
      }),
    );
  });
});

describe('nextFreeAddress', () => {
  it('offers the address after the highest one in the hosts subnet', () => {
    expect(nextFreeAddress(baseProject())).toBe('10.77.0.23');
  });

  it('skips the VIP and addresses in use', () => {
    const project = variant((p) => {
      p.spec.hosts = [host('cp1', '10.5.0.8', ['control-plane'])];
      p.spec.apiEndpoint.vip = '10.5.0.9';
    });
    expect(nextFreeAddress(project)).toBe('10.5.0.10');
  });

  it('wraps to the start of the subnet and never offers its broadcast address', () => {
    const project = variant((p) => {
      p.spec.hosts = [host('a', '10.5.0.254', ['worker']), host('b', '10.5.0.1', ['worker'])];
      p.spec.apiEndpoint.vip = '10.5.0.2';
    });
    expect(nextFreeAddress(project)).toBe('10.5.0.3');
  });

  it('follows the subnet prefix, and says nothing when it is full', () => {
    const project = variant((p) => {
      p.spec.networking.hostPrefix = 30;
      p.spec.hosts = [host('a', '10.5.0.1', ['worker']), host('b', '10.5.0.2', ['worker'])];
      p.spec.apiEndpoint.vip = undefined;
    });
    expect(nextFreeAddress(project)).toBeUndefined();
  });

  it('uses the VIP subnet when no host has an address, and nothing when there is none', () => {
    const withVip = variant((p) => (p.spec.hosts = [host('cp1', '', ['control-plane'])]));
    expect(nextFreeAddress(withVip)).toBe('10.77.0.11');
    const bare = variant((p) => {
      p.spec.hosts = [];
      p.spec.apiEndpoint.vip = undefined;
    });
    expect(nextFreeAddress(bare)).toBeUndefined();
  });

  it('works for IPv6', () => {
    const project = variant((p) => {
      p.spec.hosts = [host('a', 'fd00::ff', ['worker'])];
      p.spec.apiEndpoint.vip = 'fd00::100';
    });
    expect(nextFreeAddress(project)).toBe('fd00::101');
  });
});
