import type { HostSession } from './remote';

/**
 * What a run may need besides SSH — the offline bundle's apt repository and OCI registry,
 * served locally and reached by each host through a reverse tunnel over its own SSH connection.
 * The engine calls `beforeHost` once per host per session, before that host's first step, and
 * `dispose` when the session ends. A failing `beforeHost` fails that host's step with its message.
 */
export interface RunServices {
  beforeHost(host: string, session: HostSession): Promise<void>;
  dispose(): Promise<void>;
}

export const NO_SERVICES: RunServices = {
  beforeHost: async () => undefined,
  dispose: async () => undefined,
};
