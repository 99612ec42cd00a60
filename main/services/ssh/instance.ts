import { SshEngine } from './engine';
import { SecretStore } from './secret-store';

/**
 * The app's one SSH engine. KEELSON_KNOWN_HOSTS overrides where accepted host keys are kept
 * (default ~/.keelson/known_hosts). Secrets are not global: each client connection has its own
 * store (see ServiceContext.secrets), made here so every store registers with the engine's redactor.
 */
let engine: SshEngine | undefined;

export function sshEngine(): SshEngine {
  engine ??= new SshEngine({ knownHostsFile: process.env.KEELSON_KNOWN_HOSTS || undefined });
  return engine;
}

/** A fresh, empty secret store for one client connection. */
export function clientSecretStore(): SecretStore {
  return new SecretStore([sshEngine().redactor]);
}
