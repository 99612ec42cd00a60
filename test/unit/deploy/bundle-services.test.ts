// A design that installs from an offline bundle gets it served by the deploy itself (app and CLI
// alike), or a clear refusal before any host is touched.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { BundleMissingError, bundleServicesFor } from '../../../main/services/deploy/bundle-services';
import { project } from '../plan/fixtures';

const withSource = (source: 'online' | 'bundle') => {
  const p = project({ pattern: 'keepalived-haproxy', version: '1.37' });
  p.spec.packages = { ...p.spec.packages, source };
  return p;
};
const state = () => mkdtempSync(join(tmpdir(), 'keelson-bundle-svc-'));

test('online designs need nothing served; a bundle design names what is missing', async () => {
  expect(await bundleServicesFor(withSource('online'), state(), '1.37', undefined)).toBeUndefined();
  await expect(bundleServicesFor(withSource('bundle'), state(), '1.37', undefined)).rejects.toThrow(
    /offline bundle Keelson serves \(spec\.packages\.source: bundle\): name its folder with --bundle DIR or KEELSON_BUNDLE/,
  );
  const empty = state();
  await expect(bundleServicesFor(withSource('bundle'), state(), '1.37', empty)).rejects.toBeInstanceOf(
    BundleMissingError,
  );
});

const CACHED = join(process.env.KEELSON_CACHE ?? '/var/cache/keelson', 'bundles', 'v1.37.2');
test.skipIf(!existsSync(join(CACHED, 'bundle.json')))(
  'the built bundle is served for its own version and refused for another (needs the lab-built bundle)',
  async () => {
    await expect(bundleServicesFor(withSource('bundle'), state(), '1.36', CACHED)).rejects.toThrow(
      /holds Kubernetes 1\.37\.2; this design plans 1\.36/,
    );
    const services = await bundleServicesFor(withSource('bundle'), state(), '1.37', CACHED);
    expect(services).toBeDefined();
    await services!.dispose();
  },
);
