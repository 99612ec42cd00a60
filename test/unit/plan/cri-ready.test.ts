import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { generatePlan } from '../../../shared/plan/generate';
import { project } from './fixtures';
import { allSteps } from './helpers';

/** The real containerd the lab builds (test/lab); the test says it was skipped where it is absent. */
const BIN = '/var/cache/keelson/components/containerd-v2.4.2/bin';
const present =
  existsSync(join(BIN, 'containerd')) && existsSync(join(BIN, 'ctr')) && process.getuid?.() === 0;
if (!present)
  console.log(`skipped: the CRI readiness check against a real containerd — none at ${BIN} (or not root)`);

const work = mkdtempSync(join(tmpdir(), 'keelson-cri-ready-'));
const daemons: ChildProcess[] = [];
afterAll(() => {
  for (const d of daemons) d.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
});

/** The container-runtime step's readiness lines exactly as generated, pointed at `socket`. */
function readinessCheck(socket: string): string {
  const script = allSteps(generatePlan(project({ pattern: 'kube-vip' }), { keelsonVersion: 't' })).find(
    (s) => s.id === 'container-runtime/cp1',
  )!.script;
  const lines = script.split('\n');
  const start = lines.findIndex((l) => l.startsWith('sock='));
  const body = lines.slice(start, start + 5);
  expect(body[0]).toBe("sock='/var/run/containerd/containerd.sock'");
  expect(body.join('\n')).not.toMatch(/\bcrictl\b/);
  return [
    'set -euo pipefail',
    lines.find((l) => l.startsWith('fail()'))!,
    `PATH=${BIN}:$PATH`,
    `sock='${socket}'`,
    // Two tries instead of thirty, so a dead socket fails the test quickly.
    ...body.slice(1).map((l) => l.replace('seq 1 30', 'seq 1 2')),
  ].join('\n');
}

/** A private containerd (own root, state and socket) with its default config, edited by `change`. */
async function startContainerd(name: string, change: (config: string) => string = (c) => c): Promise<string> {
  const dir = join(work, name);
  const config = spawnSync(join(BIN, 'containerd'), ['config', 'default'], { encoding: 'utf8' }).stdout;
  const edited = change(
    config.replace(/^root = .*$/m, `root = '${dir}/root'`).replace(/^state = .*$/m, `state = '${dir}/state'`),
  );
  spawnSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'config.toml'), edited);
  const socket = join(dir, 'containerd.sock');
  const daemon = spawn(join(BIN, 'containerd'), ['--config', join(dir, 'config.toml'), '--address', socket], {
    stdio: 'ignore',
  });
  daemons.push(daemon);
  for (let i = 0; i < 50 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 200));
  return socket;
}

const run = (script: string) => {
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
};

describe.skipIf(!present)(
  'the container-runtime step knows containerd is ready without crictl (real containerd 2.4.2)',
  () => {
    test('a containerd with its CRI plugin loaded passes', async () => {
      const r = run(readinessCheck(await startContainerd('ok')));
      expect(r.code, r.output).toBe(0);
    });

    test("one whose CRI plugin is disabled (containerd.io's own packaged config does that) fails and says so", async () => {
      const socket = await startContainerd('no-cri', (c) =>
        c.replace(/^disabled_plugins = .*$/m, "disabled_plugins = ['io.containerd.grpc.v1.cri']"),
      );
      const r = run(readinessCheck(socket));
      expect(r.code).toBe(1);
      expect(r.output).toContain("containerd's CRI plugin is not ok");
    });

    test('no containerd on the socket fails with the socket named', () => {
      const r = run(readinessCheck(join(work, 'nothing.sock')));
      expect(r.code).toBe(1);
      expect(r.output).toContain(`containerd does not answer on ${join(work, 'nothing.sock')}`);
    });
  },
);
