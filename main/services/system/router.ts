import { implement } from '@orpc/server';
import { contract } from '../../../shared/contract';
import { KEELSON_VERSION } from '../../../shared/version';
import type { ServiceContext } from '../context';

const os = implement(contract.system).$context<ServiceContext>();

export const systemRouter = {
  ping: os.ping.handler(({ input, context }) => ({
    echo: input.message,
    receivedAt: new Date().toISOString(),
    transport: context.transport,
  })),
  info: os.info.handler(({ context }) => ({
    name: 'Keelson' as const,
    version: KEELSON_VERSION,
    mode: context.mode,
    platform: process.platform,
  })),
  heartbeat: os.heartbeat.handler(async function* ({ input, signal }) {
    for (let seq = 1; seq <= input.count; seq++) {
      await new Promise((resolve) => setTimeout(resolve, input.intervalMs));
      if (signal?.aborted) return;
      yield { seq, at: new Date().toISOString() };
    }
  }),
};
