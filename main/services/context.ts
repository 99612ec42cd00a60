import type { TransportKind } from '../../shared/contract/system';
import { clientSecretStore } from './ssh/instance';
import type { SecretStore } from './ssh/secret-store';

/** What every procedure knows about the call it serves. */
export interface ServiceContext {
  transport: TransportKind;
  mode: 'electron' | 'browser' | 'cli';
  /**
   * The secrets this client connection sent (`ssh.secrets.set`): its own store, invisible to
   * other windows and tabs, cleared by the transport when the connection closes.
   */
  secrets: SecretStore;
}

/** The context of one new client connection, with an empty secret store of its own. */
export function newServiceContext(transport: TransportKind, mode: ServiceContext['mode']): ServiceContext {
  return { transport, mode, secrets: clientSecretStore() };
}
