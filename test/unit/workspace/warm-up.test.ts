import { createRouterClient } from '@orpc/server';
import { describe, expect, it } from 'vitest';
import { newServiceContext } from '../../../main/services/context';
import { router } from '../../../main/services/router';
import { warmUpParser } from '../../../main/services/workspace/warm-up';
import { tempHome } from './temp-home';

const ws = createRouterClient(router, { context: newServiceContext('in-process', 'cli') }).workspace;
tempHome('keelson-warm-');

describe('parser warm-up at start', () => {
  it('never holds a request back: the cluster opens while the warm-up is still going', async () => {
    const { id } = await ws.create({ name: 'Opened early', templateId: 'keepalived-haproxy' });
    const order: string[] = [];
    const warming = warmUpParser(20).then(() => order.push('warm-up done'));
    const opened = ws.open({ id }).then((r) => {
      order.push('opened');
      return r;
    });
    await Promise.all([warming, opened]);
    expect(order).toEqual(['opened', 'warm-up done']);
    expect(await opened).toMatchObject({ project: { metadata: { name: 'Opened early' } } });
  });
});
