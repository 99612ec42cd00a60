import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatePlan } from '../../../shared/plan';
import { project } from './fixtures';

// The real containerd the lab builds (npm run lab -- kube-build); where it is not cached this says so.
const CONTAINERD = join(
  process.env.KEELSON_CACHE ?? '/var/cache/keelson',
  'components/containerd-v2.4.2/bin/containerd',
);

/** The step's own "containerd 2.x only" gate, run with `containerd --version` printing `versionLine`. */
function versionGate(versionLine: string) {
  const step = generatePlan(project({ pattern: 'keepalived-haproxy', version: '1.37' }), {
    keelsonVersion: 't',
  }).phases.find((p) => p.id === 'container-runtime')!.steps[0]!;
  const gate = step.script
    .split('\n')
    .filter((l) => l.startsWith('installed=') || l.includes('"$installed"'));
  expect(gate).toHaveLength(2);
  const script = [
    'set -euo pipefail',
    'fail() { echo "keelson: $*" >&2; exit 1; }',
    `containerd() { printf '%s\\n' ${JSON.stringify(versionLine)}; }`,
    ...gate,
  ].join('\n');
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

describe('containerd 2.x only', () => {
  it.skipIf(!existsSync(CONTAINERD))('the real containerd 2.4.2 passes the version gate', () => {
    const line = execFileSync(CONTAINERD, ['--version'], { encoding: 'utf8' }).trim();
    expect(versionGate(line)).toEqual({ code: 0, stderr: '' });
  });

  it("containerd.io's 1.7 (its version line, as a stand-in: no 1.x binary here) is refused, saying why", () => {
    expect(versionGate('containerd containerd.io 1.7.27 05044ec0a9a75232cad458027ca83437aae3f4da')).toEqual({
      code: 1,
      stderr: 'keelson: containerd 1.x installed; Keelson configures containerd 2.x (1.x is end of life)\n',
    });
  });
});

describe('the container-runtime step against the real containerd 2.4 defaults', () => {
  it.skipIf(!existsSync(CONTAINERD))(
    "edits `containerd config default` of the real binary into kubeadm's config (skipped when the lab build is not cached)",
    () => {
      const step = generatePlan(project({ pattern: 'keepalived-haproxy', version: '1.37' }), {
        keelsonVersion: 't',
      }).phases.find((p) => p.id === 'container-runtime')!.steps[0]!;
      const lines = step.script.split('\n');
      const from = lines.findIndex((l) => l.startsWith('containerd config default'));
      const to = lines.findIndex((l) => l.startsWith('mv "$new"'));
      expect(from).toBeGreaterThan(0);
      expect(to).toBeGreaterThan(from);
      const dir = mkdtempSync(join(tmpdir(), 'keelson-containerd-'));
      try {
        const pause = lines.find((l) => l.startsWith('pause='))!;
        // The step's own edits, with `containerd` being the real binary and $new a temp file.
        const script = [
          'set -euo pipefail',
          'fail() { echo "$*" >&2; exit 1; }',
          `containerd() { ${JSON.stringify(CONTAINERD)} "$@"; }`,
          pause,
          `new=${JSON.stringify(join(dir, 'config.toml'))}`,
          ...lines.slice(from, to),
        ].join('\n');
        writeFileSync(join(dir, 'edit.sh'), script);
        execFileSync('bash', [join(dir, 'edit.sh')], { stdio: 'pipe' });
        const config = readFileSync(join(dir, 'config.toml'), 'utf8');
        expect(config).toMatch(/^version = [34]$/m);
        expect(config).toMatch(/^\s*SystemdCgroup = true$/m);
        expect(config).toMatch(/^\s*sandbox = (['"])registry\.k8s\.io\/pause:3\.10\.2\1$/m);
        // Without config_path containerd reads no hosts.toml at all: offline hosts could pull nothing.
        expect(config).toMatch(
          /\[plugins\.'io\.containerd\.cri\.v1\.images'\.registry\]\n\s*config_path = '\/etc\/containerd\/certs\.d'/,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
