import { implement } from '@orpc/server';
import { contract } from '../../shared/contract';
import type { ServiceContext } from './context';
import { checkRouter } from './check/router';
import { deployRouter } from './deploy/router';
import { planRouter } from './plan/router';
import { sshRouter } from './ssh/router';
import { systemRouter } from './system/router';
import { terminalRouter } from './terminal/router';
import { workspaceRouter } from './workspace/router';

/**
 * The implementation of the whole contract. Each service folder exports its part;
 * this file only composes them. Plain Node: no electron import anywhere under services/.
 */
export const router = implement(contract).$context<ServiceContext>().router({
  system: systemRouter,
  ssh: sshRouter,
  workspace: workspaceRouter,
  plan: planRouter,
  terminal: terminalRouter,
  deploy: deployRouter,
  check: checkRouter,
});

export type Router = typeof router;
