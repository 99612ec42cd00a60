import { join } from 'node:path';
import type { ClusterProject } from '../../../shared/model/cluster';
import { DEFAULT_BUNDLE_PORT } from '../../../shared/plan/mirror';
import { startBundleServer } from '../bundle/server';
import { bundleTunnels } from '../bundle/tunnel';
import type { RunServices } from './run-services';

/** A project whose packages come from an offline bundle, with no bundle to serve: said before any host is touched. */
export class BundleMissingError extends Error {}

/**
 * What a `packages.source: bundle` run needs: the bundle (a folder `npm run lab -- bundle` or a
 * site's build made) served on this machine's loopback, and tunnelled to every host's own
 * 127.0.0.1 over its SSH connection. Its folder: `dir` (`--bundle`), else KEELSON_BUNDLE.
 * Undefined for other sources. The server stops when the run's session ends.
 */
export async function bundleServicesFor(
  project: ClusterProject,
  stateDir: string,
  plannedVersion: string,
  dir: string | undefined,
): Promise<RunServices | undefined> {
  if (project.spec.packages.source !== 'bundle') return undefined;
  if (!dir)
    throw new BundleMissingError(
      'this design installs from an offline bundle Keelson serves (spec.packages.source: bundle): ' +
        'name its folder with --bundle DIR or KEELSON_BUNDLE',
    );
  let server;
  try {
    server = await startBundleServer({ dir, workDir: join(stateDir, 'bundle-server') });
  } catch (e) {
    throw new BundleMissingError(`the offline bundle in ${dir} cannot be served: ${(e as Error).message}`);
  }
  const have = server.manifest.kubernetesVersion.replace(/^v/, '');
  const want = plannedVersion.replace(/^v/, '');
  if (have !== want && !have.startsWith(`${want}.`)) {
    await server.close();
    throw new BundleMissingError(
      `the offline bundle in ${dir} holds Kubernetes ${have}; this design plans ${want}: build or pick the matching bundle`,
    );
  }
  const tunnels = bundleTunnels(server, project.spec.packages.bundlePort ?? DEFAULT_BUNDLE_PORT);
  return {
    beforeHost: (host, session) => tunnels.beforeHost(host, session),
    async dispose() {
      await tunnels.dispose();
      await server.close();
    },
  };
}
