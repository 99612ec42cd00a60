// Lint fixture: the preload taking more from shared/ than the bridge's names, and a Node-only
// package. Both must be rejected; the bridge import and electron must pass.
import { ipcRenderer } from 'electron';
import { CONNECT_CHANNEL } from '../shared/bridge';
import { contract } from '../shared/contract';
import { Client } from 'ssh2';
export const loaded = [ipcRenderer, CONNECT_CHANNEL, contract, Client];
