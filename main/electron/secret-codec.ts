import { safeStorage } from 'electron';
import type { SecretCodec } from '../services/deploy/secrets';

/**
 * Kept deploy secrets (bootstrap token, certificate keys, the admin kubeconfig…) encrypted by
 * the OS keychain (Keychain, DPAPI, libsecret/kwallet) when Electron can use one; otherwise the
 * services' plain 0600 file stays in use.
 */
export function keychainCodec(): SecretCodec | undefined {
  // Optional chaining: a platform (or a test stand-in) without safeStorage keeps the 0600 file.
  if (!safeStorage?.isEncryptionAvailable?.()) return undefined;
  return {
    kind: 'electron-safe-storage',
    encode: (text) => safeStorage.encryptString(text),
    decode: (data) => safeStorage.decryptString(data),
  };
}
