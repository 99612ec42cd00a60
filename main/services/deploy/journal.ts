import { open, readFile, type FileHandle } from 'node:fs/promises';
import type { RunStatus, StepStatus } from '../../../shared/deploy/events';

/**
 * A run's journal: one JSON record per line, appended and fsync'd before the engine moves on, so
 * `kill -9` at any moment loses at most the record being written (a torn last line is ignored on
 * reading). It holds names and facts — never a secret or an output value.
 */
export type JournalRecord =
  | {
      t: 'run';
      v: 1;
      runId: string;
      cluster: string;
      planHash: string;
      keelsonVersion: string;
      at: number;
      steps: number;
    }
  | { t: 'session'; n: number; mode: 'start' | 'resume'; at: number; pid: number }
  | { t: 'attempt'; step: string; host: string; attempt: number; at: number }
  | {
      t: 'step';
      step: string;
      host: string;
      status: StepStatus;
      start: number;
      end: number;
      exitCode?: number | null;
      /** Output NAMES only. */
      outputs?: string[];
      /** The step's log, relative to the run folder. */
      log: string;
      /** Masked, one sentence. */
      error?: string;
    }
  | { t: 'skip'; step: string; at: number; note: string }
  /** Deployed although the host check was red: the user's reason and what was red. */
  | { t: 'override'; at: number; reason: string; red: string[] }
  | { t: 'run-end'; status: RunStatus; at: number; failed: string[] };

export class JournalWriter {
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
  ) {}

  static async open(path: string): Promise<JournalWriter> {
    return new JournalWriter(await open(path, 'a', 0o644), path);
  }

  /** Resolves once the record is on disk (written and fsync'd). */
  append(record: JournalRecord): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`journal ${this.path} is closed`));
    const line = `${JSON.stringify(record)}\n`;
    const write = this.chain.then(async () => {
      await this.handle.write(line);
      await this.handle.sync();
    });
    this.chain = write.catch(() => undefined);
    return write;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain;
    await this.handle.close();
  }
}

/** What a journal says happened, folded from its records. */
export interface JournalState {
  header: Extract<JournalRecord, { t: 'run' }>;
  sessions: number;
  /** Latest outcome of each step that ever ended. */
  steps: Map<string, Extract<JournalRecord, { t: 'step' }>>;
  /** Attempts per step. */
  attempts: Map<string, number>;
  /** Steps that started in the last session and have no end record: the run was killed during them. */
  interrupted: string[];
  skippedByUser: Set<string>;
  /** How the last session ended; undefined when it was killed (no run-end record). */
  ended?: Extract<JournalRecord, { t: 'run-end' }>;
  records: JournalRecord[];
}

export class JournalError extends Error {}

export function parseJournal(text: string, path: string): JournalState {
  const lines = text.split('\n');
  const records: JournalRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      records.push(JSON.parse(line) as JournalRecord);
    } catch {
      // Only the last line may be torn (killed mid-write); anything else is damage.
      const isLast = lines.slice(i + 1).every((l) => l.trim() === '');
      if (!isLast) throw new JournalError(`${path}:${i + 1}: not a journal record`);
    }
  });
  const header = records[0];
  if (header?.t !== 'run') throw new JournalError(`${path}: does not start with a run record`);
  const state: JournalState = {
    header,
    sessions: 0,
    steps: new Map(),
    attempts: new Map(),
    interrupted: [],
    skippedByUser: new Set(),
    records,
  };
  const open = new Set<string>();
  for (const r of records) {
    switch (r.t) {
      case 'session':
        state.sessions = r.n;
        state.ended = undefined;
        open.clear();
        break;
      case 'attempt':
        state.attempts.set(r.step, r.attempt);
        open.add(r.step);
        break;
      case 'step':
        state.steps.set(r.step, r);
        open.delete(r.step);
        break;
      case 'skip':
        state.skippedByUser.add(r.step);
        break;
      case 'run-end':
        state.ended = r;
        break;
    }
  }
  state.interrupted = [...open];
  return state;
}

export async function readJournal(path: string): Promise<JournalState> {
  return parseJournal(await readFile(path, 'utf8'), path);
}
