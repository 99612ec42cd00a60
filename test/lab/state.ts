// The lab's record of what it made (/run/keelson-lab/slot-K/teardown), read by slots.sh to tear
// down — from lab.stop(), a signal handler, the next lab's start after a crash, or CI's cleanup.sh.
// Each line is appended BEFORE the thing it names is made, so a crash mid-setup leaves nothing
// unlisted.
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { must } from './run';

export const RUN_DIR = '/run/keelson-lab';
export const SLOTS_SCRIPT = join(fileURLToPath(new URL('.', import.meta.url)), 'slots.sh');

export function slotDir(slot: number): string {
  return join(RUN_DIR, `slot-${slot}`);
}

/** Start time from /proc/PID/stat, so teardown never signals a recycled PID. */
export function startTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const value = fields[19];
  if (value === undefined) throw new Error(`lab: cannot read the start time of PID ${pid}`);
  return value;
}

export class TeardownList {
  constructor(private readonly slot: number) {}

  private add(line: string): void {
    appendFileSync(join(slotDir(this.slot), 'teardown'), `${line}\n`);
  }
  pid(pid: number): void {
    this.add(`pid ${pid} ${startTime(pid)}`);
  }
  mount(path: string): void {
    this.add(`mount ${path}`);
  }
  netns(name: string): void {
    this.add(`netns ${name}`);
  }
  link(name: string): void {
    this.add(`link ${name}`);
  }
  cgroup(dir: string): void {
    this.add(`cgroup ${dir}`);
  }
}

/** Claims a free slot K (subnet 10.77.K.0/24), cleaning labs whose owner died first. */
export async function claimSlot(kind: string): Promise<number> {
  const out = await must('bash', [SLOTS_SCRIPT, 'claim', String(process.pid), kind]);
  return Number(out.trim());
}

export async function teardownSlot(slot: number): Promise<void> {
  await must('bash', [SLOTS_SCRIPT, 'teardown', String(slot)]);
}

/** For signal and exit handlers, where nothing asynchronous runs any more. */
export function teardownSlotSync(slot: number): void {
  spawnSync('bash', [SLOTS_SCRIPT, 'teardown', String(slot)], { stdio: 'ignore' });
}
