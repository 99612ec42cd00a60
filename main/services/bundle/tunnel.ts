// How hosts without internet reach the bundle Keelson serves during a deploy: before a host's
// first step, its sshd is asked to listen on the host's own 127.0.0.1:PORT (ssh -R) and every
// connection there is carried back over the host's one SSH connection to the local bundle
// server. The plan's mirror URL on every host is then simply http://127.0.0.1:PORT.
import { connect } from 'node:net';
import type { RunServices } from '../deploy/run-services';
import type { BundleServer } from './server';

export interface BundleTunnels extends RunServices {
  /** Hosts whose tunnel is open. */
  hosts(): string[];
}

export function bundleTunnels(server: Pick<BundleServer, 'port'>, hostPort: number): BundleTunnels {
  const open = new Map<string, () => Promise<void>>();
  return {
    async beforeHost(host, session) {
      if (open.has(host)) return;
      try {
        const forward = await session.ssh.forwardRemote(session.target, hostPort, (stream) => {
          const local = connect(server.port, '127.0.0.1');
          stream.pipe(local).pipe(stream);
          const end = () => {
            stream.destroy();
            local.destroy();
          };
          local.on('error', end);
          stream.on('error', end);
        });
        open.set(host, forward.close);
      } catch (err) {
        throw new Error(
          `${host}: could not open the tunnel to Keelson's package bundle on the host's 127.0.0.1:${hostPort} ` +
            `(sshd must allow remote forwarding: AllowTcpForwarding yes): ${(err as Error).message}`,
          { cause: err },
        );
      }
    },
    hosts: () => [...open.keys()],
    async dispose() {
      const closing = [...open.values()].map((close) => close().catch(() => undefined));
      open.clear();
      await Promise.all(closing);
    },
  };
}
