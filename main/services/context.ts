import type { TransportKind } from '../../shared/contract/system';

/** What every procedure knows about the call it serves. */
export interface ServiceContext {
  transport: TransportKind;
  mode: 'electron' | 'browser' | 'cli';
}
