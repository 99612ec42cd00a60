import type { DeployEvent } from '../../../shared/deploy/events';
import type { Redactor } from '../ssh/redact';
import { LineSplitter } from './lines';
import type { StepLog } from './logs';

/** How many recent lines a step keeps in memory for its failure summary and hint. */
const RECENT = 200;

/**
 * One attempt's output: chunks → whole lines → masked → the step's log file and step-output
 * events. Only masked text leaves this class; it also remembers the last lines and the last
 * `keelson: …` message a script printed (FAIL_FUNCTION), which is the best one-line error.
 */
export class StepOutput {
  private readonly splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  private readonly recent: string[] = [];
  lastKeelsonMessage: string | undefined;

  constructor(
    private readonly stepId: string,
    private readonly host: string,
    private readonly log: StepLog,
    private readonly redactor: Redactor,
    private readonly emit: (e: DeployEvent) => void,
  ) {}

  readonly data = (stream: 'stdout' | 'stderr', chunk: Buffer): void => {
    this.lines(stream, this.splitters[stream].push(chunk));
  };

  /** Ends partial lines (the command finished). */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) this.lines(stream, this.splitters[stream].end());
  }

  /** A line from Keelson itself (attempt header, check result). */
  note(text: string): void {
    this.lines('keelson', [text]);
  }

  private lines(stream: 'stdout' | 'stderr' | 'keelson', raw: string[]): void {
    if (raw.length === 0) return;
    const lines = raw.map((l) => this.redactor.redact(l));
    const first = this.log.write(lines);
    for (const l of lines) {
      this.recent.push(l);
      if (stream === 'stderr' && l.startsWith('keelson: ') && !l.startsWith('keelson: warning:'))
        this.lastKeelsonMessage = l.slice('keelson: '.length);
    }
    if (this.recent.length > RECENT) this.recent.splice(0, this.recent.length - RECENT);
    this.emit({ type: 'step-output', stepId: this.stepId, host: this.host, stream, first, lines });
  }

  tail(n: number): string[] {
    return this.recent.slice(-n);
  }
}
