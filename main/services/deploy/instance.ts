import { sshEngine } from '../ssh/instance';
import { DeployRuns } from './runs';
import type { SecretCodec } from './secrets';

/**
 * The app's deploy runs. Electron sets an OS-keychain codec (safeStorage) before first use, so
 * kept secrets are encrypted at rest there; browser mode and the CLI keep them in 0600 files.
 */
let runs: DeployRuns | undefined;
let codec: SecretCodec | undefined;

export function setSecretCodec(c: SecretCodec): void {
  codec = c;
}

export function deployRuns(): DeployRuns {
  runs ??= new DeployRuns(sshEngine(), process.env, codec);
  return runs;
}
