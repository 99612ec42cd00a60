import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRouterClient } from '@orpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newServiceContext } from '../../../main/services/context';
import { router } from '../../../main/services/router';
import { failure } from '../support/orpc-failure';

let home: string;
const client = createRouterClient(router, { context: newServiceContext('in-process', 'cli') });

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'keelson-plan-'));
  process.env.KEELSON_HOME = home;
});
afterEach(async () => {
  delete process.env.KEELSON_HOME;
  await rm(home, { recursive: true, force: true });
});

const allSteps = (plan: { phases: { steps: { id: string }[] }[] }) => plan.phases.flatMap((p) => p.steps);

describe('plan service', () => {
  it('plans a workspace cluster by id, the same as the project sent inline', async () => {
    const { project } = await client.workspace.create({ name: 'ha', templateId: 'keepalived-haproxy' });
    const byId = await client.plan.generate({ id: 'ha' });
    const inline = await client.plan.generate({ project });
    expect(byId).toEqual(inline);
    const ids = allSteps(byId).map((s) => s.id);
    expect(ids).toContain('load-balancer/haproxy/cp1');
    expect(ids).toContain('load-balancer/keepalived/cp3');
  });

  it('names the missing cluster and the broken field', async () => {
    const missing = await failure(client.plan.generate({ id: 'nope' }));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain('nope');
    const invalid = await failure(client.plan.generate({ project: { apiVersion: 'keelson.dev/v1alpha1' } }));
    expect(invalid.code).toBe('INVALID_PROJECT');
    expect(invalid.message).toMatch(/kind|metadata|spec/);
  });

  it('refuses to plan a project with error findings, as keelson plan does, saying where', async () => {
    const { project } = (await client.workspace.create({ name: 'ha', templateId: 'keepalived-haproxy' })) as {
      project: { spec: { hosts: { address: string }[]; apiEndpoint: { vip?: string } } };
    };
    project.spec.apiEndpoint.vip = project.spec.hosts[0]!.address; // VIP_IS_HOST_ADDRESS
    const error = await failure(client.plan.generate({ project }));
    expect(error.code).toBe('CANNOT_PLAN');
    expect(error.message).toMatch(/^fix the project's errors first: spec\.apiEndpoint\.vip: /);

    const empty = (await client.workspace.create({ name: 'e' })).project; // no hosts yet
    const notYet = await failure(client.plan.generate({ project: empty }));
    expect(notYet.code).toBe('CANNOT_PLAN');
    expect(notYet.message).toContain('spec.hosts');
  });

  it('exports to an absolute folder, refuses relative paths and non-empty folders unless told', async () => {
    await client.workspace.create({ name: 'ha', templateId: 'keepalived-haproxy' });
    const relative = await failure(client.plan.export({ id: 'ha', folder: 'plans/ha' }));
    expect(relative.code).toBe('BAD_FOLDER');
    expect(relative.message).toContain('not an absolute path');

    const out = join(home, 'out');
    const result = await client.plan.export({ id: 'ha', folder: out });
    expect(result.folder).toBe(out);
    expect(result.files).toBeGreaterThan(10);
    const phases = await readdir(out);
    const lb = phases.find((p) => p.endsWith('-load-balancer'))!;
    const haproxyDir = (await readdir(join(out, lb))).find((d) => d.endsWith('haproxy-cp1'))!;
    const cfg = await readFile(join(out, lb, haproxyDir, 'files/etc/haproxy/haproxy.cfg'), 'utf8');
    expect(cfg).toContain('option httpchk');

    const again = await failure(client.plan.export({ id: 'ha', folder: out }));
    expect(again.code).toBe('BAD_FOLDER');
    expect(again.message).toContain('is not empty');

    const busy = join(home, 'busy');
    await mkdir(busy);
    await writeFile(join(busy, 'notes.txt'), 'keep me');
    expect((await failure(client.plan.export({ id: 'ha', folder: busy }))).code).toBe('BAD_FOLDER');
    expect(await readFile(join(busy, 'notes.txt'), 'utf8')).toBe('keep me');

    await client.plan.export({ id: 'ha', folder: out, overwrite: true });
    expect(await readdir(out)).toEqual(phases);
  });

  it('reads ~ in an export folder as the home folder of the user running the services', async () => {
    await client.workspace.create({ name: 'ha', templateId: 'keepalived-haproxy' });
    const realHome = process.env.HOME;
    process.env.HOME = home; // os.homedir() follows HOME
    try {
      const result = await client.plan.export({ id: 'ha', folder: '~/plans/ha' });
      expect(result.folder).toBe(join(home, 'plans', 'ha'));
      expect(await readdir(result.folder)).toContain('plan.json');
      const other = await failure(client.plan.export({ id: 'ha', folder: '~root/plans' }));
      expect(other.code).toBe('BAD_FOLDER');
      expect(other.message).toContain("not another user's ~name");
    } finally {
      process.env.HOME = realHome;
    }
  });
});
