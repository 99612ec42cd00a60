import { SshEngine } from './engine';
import { SecretStore } from './secret-store';

/**
 * The app's one SSH engine and secret store. KEELSON_KNOWN_HOSTS overrides where accepted
 * host keys are kept (default ~/.keelson/known_hosts).
 */
let engine: SshEngine | undefined;
let secrets: SecretStore | undefined;

export function sshEngine(): SshEngine {
  engine ??= new SshEngine({ knownHostsFile: process.env.KEELSON_KNOWN_HOSTS || undefined });
  return engine;
}

export function secretStore(): SecretStore {
  secrets ??= new SecretStore([sshEngine().redactor]);
  return secrets;
}
