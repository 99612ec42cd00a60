import { useEffect, useState } from 'react';
import { isFinished, type StepStatus } from '../../../shared/deploy/events';
import { etaMs, type RunView, type StepView } from '../../../shared/deploy/state';
import { useDeploy } from './deploy-store';
import { LogView } from './LogView';
import './deploy.css';

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(s % 60).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const MARK: Record<StepStatus, string> = {
  pending: '○',
  running: '●',
  done: '✓',
  'already-done': '✓',
  failed: '✗',
  skipped: '↷',
  cancelled: '■',
};

/** A cell of the grid: the host's steps in one phase, summed up as the worst/most current status. */
function cellStatus(steps: StepView[]): StepStatus | undefined {
  if (steps.length === 0) return undefined;
  for (const s of ['failed', 'cancelled', 'running'] as const)
    if (steps.some((x) => x.status === s)) return s;
  if (steps.every((x) => isFinished(x.status)))
    return steps.some((x) => x.status === 'done') ? 'done' : steps[0]!.status;
  return 'pending';
}

function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

function Grid({
  view,
  selected,
  onSelect,
}: {
  view: RunView;
  selected: string | null;
  onSelect(id: string): void;
}) {
  const now = useNow(!view.status);
  return (
    <table className="deploy-grid" data-testid="deploy-grid">
      <thead>
        <tr>
          <th>host</th>
          {view.phases.map((p) => (
            <th key={p.id} title={p.title}>
              {p.id}
            </th>
          ))}
          <th>now</th>
        </tr>
      </thead>
      <tbody>
        {view.hosts.map((h) => {
          const mine = view.steps.filter((s) => s.host === h.name);
          const current = h.stepId ? view.steps.find((s) => s.id === h.stepId) : undefined;
          return (
            <tr key={h.name} data-testid={`grid-row-${h.name}`} className={`host-${h.state}`}>
              <th>{h.name}</th>
              {view.phases.map((p) => {
                const steps = mine.filter((s) => s.phase === p.id);
                const st = cellStatus(steps);
                const pick =
                  steps.find((s) => s.status === 'failed' || s.status === 'running') ??
                  steps[steps.length - 1];
                return (
                  <td
                    key={p.id}
                    className={st ? `cell cell-${st}${pick?.id === selected ? ' is-selected' : ''}` : 'cell'}
                  >
                    {st && pick && (
                      <button
                        type="button"
                        onClick={() => onSelect(pick.id)}
                        title={steps.map((s) => `${s.id}: ${s.status}`).join('\n')}
                        data-testid={`cell-${h.name}-${p.id}`}
                        data-status={st}
                      >
                        {MARK[st]}
                      </button>
                    )}
                  </td>
                );
              })}
              <td className="now">
                {h.state === 'running' && current?.startedAt !== undefined
                  ? // Every wait states its limit: slow and stuck look different.
                    `${current.id.split('/').slice(0, -1).join('/')} ${duration(now - current.startedAt)} (limit ${duration(current.timeoutSeconds * 1000)})`
                  : h.state}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Failure({ step }: { step: StepView }) {
  const { retry, skip, running } = useDeploy();
  const [confirming, setConfirming] = useState(false);
  const [note, setNote] = useState('');
  return (
    <div className="deploy-failure" data-testid="deploy-failure" role="alert">
      <div className="failure-title">
        {step.host}: {step.id} {step.status}
      </div>
      {step.error && <div className="failure-error">{step.error}</div>}
      {step.hint && (
        <div className="failure-hint" data-testid="deploy-hint">
          Hint: {step.hint}
        </div>
      )}
      {step.tail.length > 0 && <pre className="failure-tail">{step.tail.slice(-12).join('\n')}</pre>}
      <div className="failure-actions">
        <button type="button" onClick={() => void retry(step.id)} data-testid="deploy-retry">
          Retry {running ? 'now' : 'and carry on'}
        </button>
        {!confirming ? (
          <button type="button" onClick={() => setConfirming(true)}>
            Skip…
          </button>
        ) : (
          <span className="skip-confirm">
            <input
              value={note}
              onChange={(e) => setNote(e.target.value)}
              placeholder="why (kept in the journal)"
              aria-label="Why skip this step"
            />
            <button type="button" disabled={!note.trim()} onClick={() => void skip(step.id, note.trim())}>
              Skip this step
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </span>
        )}
      </div>
    </div>
  );
}

function Kubeconfig() {
  const { readiness, saveKubeconfig, mergeKubeconfig } = useDeploy();
  const [path, setPath] = useState('');
  if (!readiness?.kubeconfig) return null;
  return (
    <div className="deploy-kubeconfig" data-testid="deploy-kubeconfig">
      <span>
        Kubeconfig: <code>{readiness.kubeconfig}</code>
      </span>
      <input
        value={path}
        onChange={(e) => setPath(e.target.value)}
        placeholder="/home/you/.kube/prod.conf"
        aria-label="Save the kubeconfig to"
      />
      <button type="button" disabled={!path.startsWith('/')} onClick={() => void saveKubeconfig(path)}>
        Save a copy
      </button>
      <button type="button" onClick={() => void mergeKubeconfig()} data-testid="kubeconfig-merge">
        Merge into ~/.kube/config
      </button>
    </div>
  );
}

/** Which phases the next run includes: all by default; leaving some out is kubeadm's --skip-phases. */
function PhaseChoice() {
  const { readiness, skipPhases, toggleSkip, running } = useDeploy();
  if (running || !readiness?.phases.length) return null;
  return (
    <fieldset className="phase-choice" data-testid="deploy-phases">
      <legend>Next run</legend>
      {readiness.phases.map((p) => (
        <label key={p}>
          <input
            type="checkbox"
            checked={!skipPhases.includes(p)}
            onChange={() => toggleSkip(p)}
            data-testid={`phase-${p}`}
          />
          {p}
        </label>
      ))}
    </fieldset>
  );
}

/** The Deploy tab: the run's phases × hosts grid, the selected step's log, failures with hints. */
export function DeployPanel() {
  const { view, running, readiness, selectedStep, select, error, notice, clusterId, cancel, deploy } =
    useDeploy();
  const now = useNow(running);
  if (!clusterId) return <p className="muted">Open a cluster to deploy it.</p>;
  if (!view && running) {
    return (
      <div className="deploy-panel" data-testid="deploy-panel">
        <strong data-testid="deploy-state" data-state="starting">
          Starting the run…
        </strong>
      </div>
    );
  }
  if (!view) {
    return (
      <div className="deploy-panel" data-testid="deploy-panel">
        <p className="muted">
          {readiness?.blockers.length
            ? `Not deployable yet: ${readiness.blockers.join('; ')}.`
            : 'No deploy of this cluster yet: press Deploy.'}
        </p>
        {error && <p className="error">{error}</p>}
        <PhaseChoice />
      </div>
    );
  }
  const step = view.steps.find((s) => s.id === selectedStep);
  const done = view.steps.filter((s) => isFinished(s.status)).length;
  const last = readiness?.lastRun;
  const state = running
    ? 'running'
    : (view.status ?? (last?.runId === view.runId ? last.state : 'interrupted'));
  return (
    <div className="deploy-panel" data-testid="deploy-panel">
      <div className="deploy-summary">
        <strong data-testid="deploy-state" data-state={state}>
          {state === 'running' ? 'Deploying' : state[0]!.toUpperCase() + state.slice(1)}
        </strong>
        <span>
          {done}/{view.steps.length} steps · elapsed {duration((view.endedAt ?? now) - view.startedAt)}
          {running && ` · about ${duration(etaMs(view, now))} left`}
        </span>
        <span className="muted">run {view.runId}</span>
        {running && (
          <button type="button" onClick={() => void cancel()} data-testid="deploy-cancel">
            Cancel
          </button>
        )}
        {!running &&
          (state === 'failed' || state === 'cancelled' || state === 'interrupted') &&
          !last?.planChanged && (
            <button type="button" onClick={() => void deploy(true)} data-testid="deploy-resume">
              Resume
            </button>
          )}
        {error && <span className="error">{error}</span>}
        {notice && <span className="notice">{notice}</span>}
      </div>
      {!running && view.status === 'succeeded' && <Kubeconfig />}
      <PhaseChoice />
      <div className="deploy-body">
        <div className="deploy-left">
          <Grid view={view} selected={selectedStep} onSelect={select} />
          {step && (step.status === 'failed' || step.status === 'cancelled') && <Failure step={step} />}
        </div>
        <div className="deploy-right">
          {step ? (
            <>
              <div className="log-title" data-testid="deploy-log-title">
                {step.id} · {step.status}
                {step.durationMs !== undefined && ` · ${duration(step.durationMs)}`}
              </div>
              <LogView clusterId={clusterId} runId={view.runId} stepId={step.id} total={step.lineCount} />
            </>
          ) : (
            <p className="muted">Select a cell to see its log.</p>
          )}
        </div>
      </div>
    </div>
  );
}
