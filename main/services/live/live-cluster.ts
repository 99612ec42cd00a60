import {
  CoreV1Api,
  KubeConfig,
  makeInformer,
  type Informer,
  type ObjectCache,
  type V1Node,
} from '@kubernetes/client-node';
import { liveState, type LiveState, type NodeObject } from '../../../shared/live/nodes';

/** How often pods are counted per node (a list, not a watch: a count is all the canvas shows). */
const PODS_EVERY_MS = 10_000;
/** After the API stopped answering: how long until the watch is tried again. */
const RETRY_MS = 5_000;

export interface LiveClusterOptions {
  /** The admin kubeconfig Keelson exported (its server is the cluster's endpoint). */
  kubeconfig: string;
  /** The design's node names, and those deployed.json says were deployed. */
  design: () => { nodes: string[]; deployed: string[] };
  onState: (state: LiveState) => void;
  /** Why the API does not answer, from SSH (VIP holder, each apiserver): lines for the user. */
  diagnose?: () => Promise<string[]>;
}

/**
 * A deployed cluster's nodes, kept current by a watch on the API (client-node's informer: list,
 * then watch, resumed on errors). Every change reaches `onState` with the whole picture; an
 * unreachable API is reported with what SSH found, and the watch is retried.
 */
export class LiveCluster {
  private readonly config = new KubeConfig();
  private readonly core: CoreV1Api;
  private readonly informer: Informer<V1Node> & ObjectCache<V1Node>;
  private pods = new Map<string, number>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private down: { error: string; diagnosis?: string[] } | undefined;
  private synced = false;

  constructor(private readonly options: LiveClusterOptions) {
    this.config.loadFromString(options.kubeconfig);
    this.core = this.config.makeApiClient(CoreV1Api);
    this.informer = makeInformer(this.config, '/api/v1/nodes', () => this.core.listNode());
    for (const verb of ['add', 'update', 'delete'] as const) this.informer.on(verb, () => this.emit());
    this.informer.on('connect', () => {
      this.down = undefined;
      this.synced = true;
      this.emit();
    });
    this.informer.on('error', (err: unknown) => void this.lost(err));
  }

  async start(): Promise<void> {
    await this.informer
      .start()
      .then(() => {
        this.synced = true;
        this.emit();
      })
      .catch((e: unknown) => this.lost(e));
    await this.countPods();
    this.timer = setInterval(() => void this.countPods(), PODS_EVERY_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.retry) clearTimeout(this.retry);
    await this.informer.stop().catch(() => undefined);
  }

  /** The picture as it is now. */
  state(): LiveState {
    if (this.down)
      return {
        at: Date.now(),
        reachable: false,
        synced: this.synced,
        error: this.down.error,
        ...(this.down.diagnosis ? { diagnosis: this.down.diagnosis } : {}),
        nodes: [],
        notInDesign: [],
        notInCluster: [],
      };
    if (!this.synced)
      return { at: Date.now(), reachable: true, synced: false, nodes: [], notInDesign: [], notInCluster: [] };
    return liveState([...this.informer.list()] as NodeObject[], this.pods, this.options.design());
  }

  private emit(): void {
    if (!this.stopped) this.options.onState(this.state());
  }

  private async countPods(): Promise<void> {
    try {
      const list = await this.core.listPodForAllNamespaces({
        fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed',
      });
      const counts = new Map<string, number>();
      for (const p of list.items) {
        const node = p.spec?.nodeName;
        if (node) counts.set(node, (counts.get(node) ?? 0) + 1);
      }
      const changed = JSON.stringify([...counts]) !== JSON.stringify([...this.pods]);
      this.pods = counts;
      if (changed && !this.down) this.emit();
    } catch {
      // The node watch reports an unreachable API; a failed count keeps the last one.
    }
  }

  private async lost(err: unknown): Promise<void> {
    if (this.stopped) return;
    const first = this.down === undefined;
    this.down = { error: describe(err) };
    this.emit();
    if (first && this.options.diagnose) {
      const diagnosis = await this.options
        .diagnose()
        .catch((e: unknown) => [`SSH checks failed: ${describe(e)}`]);
      if (this.down) this.down.diagnosis = diagnosis;
      this.emit();
    }
    if (this.retry) clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      if (!this.stopped) void this.informer.start().catch((e: unknown) => this.lost(e));
    }, RETRY_MS);
  }
}

function describe(err: unknown): string {
  const e = err as { message?: string; code?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code;
  const message = e?.message ?? String(err);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}
