import { checkContract } from './check';
import { deployContract } from './deploy';
import { planContract } from './plan';
import { sshContract } from './ssh';
import { systemContract } from './system';
import { terminalContract } from './terminal';
import { workspaceContract } from './workspace';

/**
 * The one contract between the renderer (or any client) and Keelson's services.
 * Each area owns one file here; this file only composes them. The same contract is
 * served over Electron IPC (a MessagePort) and over WebSocket in browser mode.
 */
export const contract = {
  system: systemContract,
  ssh: sshContract,
  workspace: workspaceContract,
  plan: planContract,
  terminal: terminalContract,
  deploy: deployContract,
  check: checkContract,
};

export type Contract = typeof contract;
