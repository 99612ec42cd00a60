import { readFile } from 'node:fs/promises';
import type { LiveState } from '../../../shared/live/nodes';
import type { ClusterProject } from '../../../shared/model/cluster';
import { LiveCluster } from './live-cluster';

/** What the registry needs to know about a workspace cluster. */
export interface LiveSources {
  kubeconfigPath(id: string): string;
  project(id: string): Promise<ClusterProject>;
  deployedNodes(id: string): Promise<string[] | undefined>;
  diagnose(id: string): Promise<string[]>;
}

interface Entry {
  live: LiveCluster;
  watchers: Set<(s: LiveState) => void>;
  design: { nodes: string[]; deployed: string[] };
  refresh: ReturnType<typeof setInterval>;
}

/** The design re-read this often, so a node added or removed on the canvas is compared at once-ish. */
const DESIGN_EVERY_MS = 5_000;

/**
 * One API watch per deployed cluster however many windows and tabs watch it: started with the
 * first watcher, stopped with the last.
 */
export class LiveClusters {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly sources: LiveSources) {}

  private async designOf(id: string): Promise<Entry['design']> {
    const project = await this.sources.project(id);
    const nodes = project.spec.hosts
      .filter((h) => h.roles.includes('control-plane') || h.roles.includes('worker'))
      .map((h) => h.name);
    return { nodes, deployed: (await this.sources.deployedNodes(id)) ?? [] };
  }

  async *watch(id: string, signal?: AbortSignal): AsyncGenerator<LiveState> {
    let kubeconfig: string;
    try {
      kubeconfig = await readFile(this.sources.kubeconfigPath(id), 'utf8');
    } catch {
      yield {
        at: Date.now(),
        reachable: false,
        synced: false,
        error: 'no kubeconfig for this cluster yet: it is written when a deploy succeeds',
        nodes: [],
        notInDesign: [],
        notInCluster: [],
      };
      return;
    }
    let entry = this.entries.get(id);
    if (!entry) {
      const design = await this.designOf(id);
      const created: Entry = {
        design,
        watchers: new Set(),
        live: new LiveCluster({
          kubeconfig,
          design: () => created.design,
          onState: (s) => created.watchers.forEach((w) => w(s)),
          diagnose: () => this.sources.diagnose(id),
        }),
        refresh: setInterval(() => {
          void this.designOf(id)
            .then((d) => (created.design = d))
            .catch(() => undefined);
        }, DESIGN_EVERY_MS),
      };
      entry = created;
      this.entries.set(id, entry);
      void entry.live.start();
    }
    const e = entry;
    const queue: LiveState[] = [];
    let wake: (() => void) | undefined;
    // Only the latest picture matters: a slow watcher skips the ones in between.
    const push = (s: LiveState) => {
      queue.length = 0;
      queue.push(s);
      wake?.();
    };
    e.watchers.add(push);
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      yield e.live.state();
      for (;;) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (signal?.aborted) return;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    } finally {
      e.watchers.delete(push);
      signal?.removeEventListener('abort', onAbort);
      if (e.watchers.size === 0 && this.entries.get(id) === e) {
        this.entries.delete(id);
        clearInterval(e.refresh);
        await e.live.stop();
      }
    }
  }
}
