import { execFileSync } from 'node:child_process';
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
