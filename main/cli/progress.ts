import type { DeployEvent } from '../../shared/deploy/events';
import { isFinished } from '../../shared/deploy/events';
import { etaMs, reduceRun, type RunView } from '../../shared/deploy/state';

/** Seconds or minutes, as a person reads a duration. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(s % 60).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const time = (at: number) => new Date(at).toISOString().slice(11, 19);

/**
 * The CLI's view of the one event stream: per-host progress bars redrawn in place on a terminal,
 * or one plain line per step otherwise (logs, CI). Failures are printed in full either way: the
 * host, the error, the hint and the failing command's last lines.
 */
export class Progress {
  private view: RunView | undefined;
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  readonly onEvent = (e: DeployEvent): void => {
    this.view = reduceRun(this.view, e);
    if (this.tty) {
      if (e.type === 'step-ended' && e.status === 'failed') this.above(this.failure(e));
      if (e.type === 'run-note') this.above(`  note: ${e.message}\n`);
      if (e.type === 'run-started') this.timer ??= setInterval(() => this.redraw(), 250);
      if (e.type === 'run-ended') this.stop();
      return;
    }
    switch (e.type) {
      case 'run-started':
        this.write(
          `${time(e.at)} ${e.mode === 'resume' ? 'resuming' : 'starting'} run ${e.runId} of ${e.cluster}: ` +
            `${e.steps.length} steps on ${e.hosts.length} hosts` +
            (e.previous.length
              ? ` (${e.previous.filter((p) => isFinished(p.status)).length} finished before)`
              : '') +
            '\n',
        );
        break;
      case 'step-started':
        this.write(
          `${time(e.at)} ${e.host.padEnd(12)} ${e.stepId} started${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}\n`,
        );
        break;
      case 'step-ended':
        if (e.status === 'failed') this.write(this.failure(e));
        else
          this.write(
            `${time(e.at)} ${e.host.padEnd(12)} ${e.stepId} ${e.status} in ${duration(e.durationMs)}\n`,
          );
        break;
      case 'run-note':
        this.write(`${time(e.at)} note: ${e.message}\n`);
        break;
      default:
        break;
    }
  };

  private failure(e: Extract<DeployEvent, { type: 'step-ended' }>): string {
    const lines = [
      `${time(e.at)} ${e.host.padEnd(12)} ${e.stepId} FAILED after ${duration(e.durationMs)}: ${e.error ?? ''}`,
    ];
    if (e.hint) lines.push(`    hint: ${e.hint}`);
    if (e.tail?.length) lines.push('    last lines:', ...e.tail.slice(-10).map((l) => `      ${l}`));
    return `${lines.join('\n')}\n`;
  }

  /** Prints text above the bars, then draws them again. */
  private above(text: string): void {
    this.clear();
    this.write(text);
    this.redraw();
  }

  private clear(): void {
    if (this.drawn > 0) this.write(`\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }

  private redraw(): void {
    const v = this.view;
    if (!v) return;
    this.clear();
    const now = this.now();
    const done = v.steps.filter((s) => isFinished(s.status)).length;
    const lines = [
      `run ${v.runId}  ${done}/${v.steps.length} steps  elapsed ${duration(now - v.startedAt)}` +
        (v.status ? `  ${v.status}` : `  about ${duration(etaMs(v, now))} left`),
    ];
    const width = Math.max(...v.hosts.map((h) => h.name.length));
    for (const h of v.hosts) {
      const mine = v.steps.filter((s) => s.host === h.name);
      const n = mine.filter((s) => isFinished(s.status)).length;
      const filled = mine.length ? Math.round((n / mine.length) * 20) : 20;
      const step = h.stepId ? v.steps.find((s) => s.id === h.stepId) : undefined;
      const what =
        h.state === 'running' && step?.startedAt !== undefined
          ? `${step.id} ${duration(now - step.startedAt)}`
          : h.state === 'failed' || h.state === 'unreachable'
            ? `${h.state.toUpperCase()} at ${h.stepId ?? ''}`
            : h.state;
      lines.push(
        `  ${h.name.padEnd(width)} [${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ${n}/${mine.length} ${what}`,
      );
    }
    this.write(`${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty) this.redraw();
  }
}
