// What the lab tests need to run Keelson's generated plan steps on lab hosts the way the executor
// will: write the step's files, resolve placeholders with test values, run the script with bash.
// Also `apiserver-standin` (test/support/apiserver-standin.mjs) — NOT a Kubernetes API server
// (none can be had here): a tiny HTTPS server on :6443 answering /healthz, /readyz and / (its
// host's name), which is all a load balancer in front of apiservers ever asks of one.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plan, PlanStep } from '../../shared/plan/types';
import type { Lab } from './lab';
import type { RunResult } from './run';

const STANDIN_SCRIPT = fileURLToPath(new URL('../support/apiserver-standin.mjs', import.meta.url));
const STANDIN_DIR = '/opt/keelson-test/apiserver-standin';

export const sq = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Run-time values the executor would substitute: secrets and plain values, by placeholder name. */
export interface Known {
  secrets?: Record<string, string>;
  values?: Record<string, string>;
}

/** What the executor does with placeholders, with test values; anything left unresolved is a bug. */
export function resolvePlaceholders(text: string, known: Known = {}): string {
  return text.replace(/\{\{(secret|value):([A-Za-z0-9._-]+)\}\}/g, (whole, kind: string, name: string) => {
    const value = (kind === 'secret' ? known.secrets : known.values)?.[name];
    if (value === undefined) throw new Error(`the plan uses a ${kind} this test has no value for: ${whole}`);
    return value;
  });
}

/** The steps of one phase, in plan order (none when the plan has no such phase). */
export const phaseSteps = (plan: Plan, phase: string): PlanStep[] =>
  plan.phases.find((p) => p.id === phase)?.steps ?? [];

/** The step with this id; a missing one is a test failure that names it. */
export function stepById(plan: Plan, id: string): PlanStep {
  const found = plan.phases.flatMap((p) => p.steps).find((s) => s.id === id);
  if (!found) throw new Error(`the plan has no step ${id}`);
  return found;
}

/** Writes a file on a lab host atomically (temporary file, mode, rename), as root. */
export async function writeLabFile(lab: Lab, host: string, path: string, content: string, mode: string) {
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  const r = await lab.exec(
    host,
    `mkdir -p ${sq(dir)} && cat > ${sq(path)}.tmp && chmod ${sq(mode)} ${sq(path)}.tmp && mv ${sq(path)}.tmp ${sq(path)}`,
    { input: content },
  );
  if (r.code !== 0) throw new Error(`writing ${path} on ${host} failed: ${r.stderr}`);
}

const scriptPath = (step: PlanStep, kind: 'script' | 'check') =>
  `/root/keelson-${kind}-${step.id.replace(/[^a-zA-Z0-9-]/g, '_')}.sh`;

/** Runs one of the step's scripts as is (bash, as root) and returns what it printed. */
async function runScript(
  lab: Lab,
  step: PlanStep,
  kind: 'script' | 'check',
  known: Known,
): Promise<RunResult> {
  const text = kind === 'script' ? step.script : step.check;
  if (text === undefined) throw new Error(`step ${step.id} has no ${kind}`);
  const path = scriptPath(step, kind);
  await writeLabFile(lab, step.host, path, resolvePlaceholders(text, known), '0700');
  return lab.exec(step.host, `bash ${sq(path)}`, { timeoutMs: step.timeoutSeconds * 1000 });
}

/** The step's files, then its script; a non-zero exit throws with what the script printed. */
export async function runPlanStep(lab: Lab, step: PlanStep, known: Known = {}) {
  for (const f of step.files)
    await writeLabFile(lab, step.host, f.path, resolvePlaceholders(f.content, known), f.mode);
  const r = await runScript(lab, step, 'script', known);
  if (r.code !== 0) throw new Error(`step ${step.id} failed (exit ${r.code}):\n${r.stderr || r.stdout}`);
  return r;
}

/** The step's "already done?" check: exit 0 means the executor may skip the step on a re-run. */
export async function runPlanCheck(lab: Lab, step: PlanStep, known: Known = {}) {
  return runScript(lab, step, 'check', known);
}

/** A throwaway self-signed certificate for the stand-ins; `dispose` removes it. */
export function standinCertificate(): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'keelson-standin-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'tls.key'),
      '-out',
      join(dir, 'tls.crt'),
      '-days',
      '2',
      '-subj',
      '/CN=apiserver-standin',
    ],
    { stdio: 'ignore' },
  );
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts apiserver-standin on the host's :6443 as the systemd unit `apiserver-standin`. */
export async function startApiserverStandin(lab: Lab, host: string, certDir: string) {
  const pid = lab.host(host).pid;
  // Lab hosts are Debian bookworm minbase without node: the workstation's node binary (same
  // distribution and architecture) runs there as is. Copied through the container's root.
  execFileSync('mkdir', ['-p', `/proc/${pid}/root${STANDIN_DIR}`]);
  copyFileSync(process.execPath, `/proc/${pid}/root/usr/local/bin/node`);
  execFileSync('chmod', ['0755', `/proc/${pid}/root/usr/local/bin/node`]);
  const runs = await lab.exec(host, '/usr/local/bin/node --version');
  if (runs.code !== 0)
    throw new Error(
      `this machine's node (${process.execPath}) does not run inside a bookworm lab host, so the ` +
        `apiserver-standin cannot start there: ${runs.stderr.trim()}`,
    );
  await writeLabFile(
    lab,
    host,
    `${STANDIN_DIR}/apiserver-standin.mjs`,
    readFileSync(STANDIN_SCRIPT, 'utf8'),
    '0644',
  );
  await writeLabFile(
    lab,
    host,
    `${STANDIN_DIR}/tls.crt`,
    readFileSync(join(certDir, 'tls.crt'), 'utf8'),
    '0644',
  );
  await writeLabFile(
    lab,
    host,
    `${STANDIN_DIR}/tls.key`,
    readFileSync(join(certDir, 'tls.key'), 'utf8'),
    '0600',
  );
  await lab.sh(
    host,
    [
      'systemd-run --unit=apiserver-standin --description=' +
        sq('apiserver-standin (test stand-in, NOT a Kubernetes API server)'),
      '/usr/local/bin/node',
      `${STANDIN_DIR}/apiserver-standin.mjs`,
      `--name ${sq(host)} --cert ${STANDIN_DIR}/tls.crt --key ${STANDIN_DIR}/tls.key --port 6443`,
    ].join(' '),
  );
  await lab.sh(
    host,
    'for i in $(seq 1 100); do curl -sfk --max-time 1 https://127.0.0.1:6443/healthz >/dev/null && exit 0; sleep 0.1; done; ' +
      'echo "apiserver-standin did not answer on :6443" >&2; exit 1',
  );
}

export interface Answer {
  status: number;
  body: string;
}

/** One fresh TLS connection per request (no keep-alive), so every request is balanced anew. */
export function httpsGet(url: string, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // The whole exchange has one deadline: `timeout` alone is an idle timer, and a request whose
    // answer stopped half-way (a backend killed mid-reply) was seen to leave the promise pending
    // until the test's own timeout.
    const fail = (error: Error) => {
      clearTimeout(deadline);
      reject(error);
    };
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const req = request(url, { agent: false, rejectUnauthorized: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        clearTimeout(deadline);
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', fail);
      res.on('close', () => {
        if (!res.complete) fail(new Error('the connection closed before the answer ended'));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', fail);
    req.end();
  });
}
