import { eventIterator, oc } from '@orpc/contract';
import { z } from 'zod';

/** Which transport carried a call — reported back so tests can prove both paths work. */
export const TransportKind = z.enum(['electron-ipc', 'websocket', 'in-process']);
export type TransportKind = z.infer<typeof TransportKind>;

export const AppInfo = z.object({
  name: z.literal('Keelson'),
  version: z.string(),
  mode: z.enum(['electron', 'browser', 'cli']),
  platform: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const systemContract = {
  /** Round-trip check used by the renderer at start and by the tests. */
  ping: oc
    .input(z.strictObject({ message: z.string().max(1_000) }))
    .output(z.object({ echo: z.string(), receivedAt: z.string(), transport: TransportKind })),
  info: oc.output(AppInfo),
  /** A small event stream: the shape later used by deploy progress and logs. */
  heartbeat: oc
    .input(z.strictObject({ count: z.int().min(1).max(100), intervalMs: z.int().min(1).max(10_000) }))
    .output(eventIterator(z.object({ seq: z.int(), at: z.string() }))),
};
