import { describe, expect, it } from 'vitest';
import { projectDifferences } from '../../../shared/model/diff';
import { findTemplate } from '../../../main/services/workspace/templates';
import type { ClusterProject } from '../../../shared/model/cluster';

const template = () => structuredClone(findTemplate('keepalived-haproxy')!.project) as ClusterProject;

describe('what differs between two versions of a project', () => {
  it('names hosts by name, fields by path, and says nothing for equal projects', () => {
    const theirs = template();
    expect(projectDifferences(theirs, template())).toEqual([]);
    const mine = template();
    mine.metadata.name = 'Mine';
    mine.spec.hosts[0]!.address = '10.77.0.99';
    mine.spec.hosts.reverse(); // order alone is no difference
    mine.spec.hosts.push({ ...mine.spec.hosts[0]!, name: 'worker9', address: '10.77.0.109' });
    mine.spec.networking.podCidr = '10.250.0.0/16';
    mine.canvas = { positions: { cp1: { x: 1, y: 2 } } };
    expect(projectDifferences(theirs, mine)).toEqual([
      { what: 'metadata.name', theirs: theirs.metadata.name, mine: 'Mine' },
      {
        what: `host ${theirs.spec.hosts[0]!.name}: address`,
        theirs: theirs.spec.hosts[0]!.address,
        mine: '10.77.0.99',
      },
      { what: 'host worker9', mine: '10.77.0.109' },
      { what: 'spec.networking.podCidr', theirs: theirs.spec.networking.podCidr, mine: '10.250.0.0/16' },
      { what: 'canvas layout', theirs: 'as in the file', mine: 'moved here' },
    ]);
  });

  it('shortens long values and stops at the limit', () => {
    const theirs = template();
    const mine = template();
    mine.metadata.description = 'x'.repeat(500);
    mine.spec.hosts = [];
    const diff = projectDifferences(theirs, mine, 3);
    expect(diff).toHaveLength(3);
    expect(diff[0]!.mine!.length).toBeLessThanOrEqual(60);
  });
});
