import { useEffect, useState } from 'react';
import type { PlanSource } from '../../../shared/contract/plan';
import { planFiles } from '../../../shared/plan/export-files';
import { tarArchive } from '../../../shared/plan/tar';
import type { Plan } from '../../../shared/plan/types';
import { download } from './copy-text';
import { getClient } from '../transport/client';
import { PlanTree, type TreeGrouping } from './PlanTree';
import { findStep } from './planTree';
import { usePlanView } from './planView';
import { StepDetails } from './StepDetails';
import './plan.css';

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

type Loaded = { status: 'loading' } | { status: 'failed'; error: string } | { status: 'ready'; plan: Plan };

interface PlanViewProps {
  /** The project as the canvas holds it now (unsaved edits included); preferred when given. */
  project?: unknown;
  /** Else a workspace cluster, read from its file. */
  clusterId?: string;
}

/** The deploy plan of the open cluster, read-only: what would run where, and the exact files. */
export function PlanView({ project, clusterId }: PlanViewProps) {
  const source: PlanSource | undefined =
    project !== undefined ? { project } : clusterId ? { id: clusterId } : undefined;
  const hide = usePlanView((s) => s.hide);
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });
  const [grouping, setGrouping] = useState<TreeGrouping>('phase');
  const [selected, setSelected] = useState<string>();

  useEffect(() => {
    const request: PlanSource | undefined =
      project !== undefined ? { project } : clusterId ? { id: clusterId } : undefined;
    if (!request) return;
    let current = true;
    setLoaded({ status: 'loading' });
    getClient()
      .plan.generate(request)
      .then((plan) => current && setLoaded({ status: 'ready', plan }))
      .catch((error: unknown) => current && setLoaded({ status: 'failed', error: message(error) }));
    return () => {
      current = false;
    };
  }, [project, clusterId]);

  const plan = loaded.status === 'ready' ? loaded.plan : undefined;
  const step = plan && findStep(plan, selected);
  const stepCount = plan?.phases.reduce((n, p) => n + p.steps.length, 0) ?? 0;

  return (
    <div className="plan-view" data-testid="plan-view">
      <div className="plan-toolbar">
        <button type="button" onClick={hide} data-testid="plan-back">
          ← Back to canvas
        </button>
        <strong className="plan-title">
          {plan ? `Plan · ${plan.cluster} · Kubernetes ${plan.kubernetesVersion}` : 'Plan'}
        </strong>
        {plan && (
          <span className="muted">
            {plan.phases.length} phases · {stepCount} steps
          </span>
        )}
        <span className="spacer" />
        <div role="radiogroup" aria-label="Group steps by" className="segmented">
          {(['phase', 'host'] as const).map((g) => (
            <button
              key={g}
              type="button"
              role="radio"
              aria-checked={grouping === g}
              onClick={() => setGrouping(g)}
              data-testid={`plan-group-by-${g}`}
            >
              By {g}
            </button>
          ))}
        </div>
      </div>
      {source && <ExportBar source={source} plan={plan} />}
      {!source && <p className="plan-message muted">Open a cluster to see its deploy plan.</p>}
      {source && loaded.status === 'loading' && <p className="plan-message muted">Generating the plan…</p>}
      {loaded.status === 'failed' && (
        <p className="plan-message plan-error" role="alert" data-testid="plan-error">
          The plan could not be generated: {loaded.error}
        </p>
      )}
      {plan && (
        <div className="plan-body">
          <nav className="plan-tree-pane" aria-label="Plan steps">
            <PlanTree plan={plan} grouping={grouping} selectedStepId={selected} onSelect={setSelected} />
          </nav>
          <section className="plan-detail-pane" aria-label="Step details">
            {step ? (
              <StepDetails key={step.id} step={step} />
            ) : (
              <p className="muted">Select a step to see its description, script, check and files.</p>
            )}
          </section>
        </div>
      )}
    </div>
  );
}

type ExportState =
  | { status: 'idle' }
  | { status: 'busy' }
  | { status: 'done'; folder: string; files: number }
  | { status: 'failed'; error: string };

/** The archive's name and top folder: the cluster's name in characters every file system takes. */
function archiveName(plan: Plan): string {
  const slug = plan.cluster
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `keelson-plan-${slug || 'cluster'}`;
}

/**
 * Writes the plan to a folder the user names (a path on the machine running Keelson's services:
 * `~` is their home), or downloads it as one .tar built here, which works where that disk is out
 * of reach (browser mode on another machine).
 */
function ExportBar({ source, plan }: { source: PlanSource; plan: Plan | undefined }) {
  const [folder, setFolder] = useState('');
  const [overwrite, setOverwrite] = useState(false);
  const [state, setState] = useState<ExportState>({ status: 'idle' });

  const exportPlan = async () => {
    setState({ status: 'busy' });
    try {
      const result = await getClient().plan.export({ ...source, folder: folder.trim(), overwrite });
      setState({ status: 'done', ...result });
    } catch (error) {
      setState({ status: 'failed', error: message(error) });
    }
  };

  const downloadPlan = () => {
    if (!plan) return;
    const name = archiveName(plan);
    try {
      download(tarArchive(planFiles(plan), name, Date.now() / 1000), `${name}.tar`, 'application/x-tar');
    } catch (error) {
      setState({ status: 'failed', error: message(error) });
    }
  };

  return (
    <form
      className="plan-export"
      onSubmit={(event) => {
        event.preventDefault();
        void exportPlan();
      }}
    >
      <label>
        Export to folder{' '}
        <input
          type="text"
          value={folder}
          onChange={(e) => setFolder(e.target.value)}
          placeholder="~/plans/prod"
          spellCheck={false}
          size={40}
          data-testid="plan-export-folder"
        />
      </label>
      <label>
        <input
          type="checkbox"
          checked={overwrite}
          onChange={(e) => setOverwrite(e.target.checked)}
          data-testid="plan-export-overwrite"
        />{' '}
        replace what the folder holds
      </label>
      <button
        type="submit"
        disabled={folder.trim() === '' || state.status === 'busy'}
        data-testid="plan-export-button"
      >
        Export…
      </button>
      <button type="button" disabled={!plan} onClick={downloadPlan} data-testid="plan-download">
        Download .tar
      </button>
      <span
        data-testid="plan-export-result"
        role="status"
        className={state.status === 'failed' ? 'plan-error' : 'muted'}
      >
        {state.status === 'busy' && 'Writing…'}
        {state.status === 'done' && `Wrote ${state.files} files to ${state.folder}`}
        {state.status === 'failed' && `Export failed: ${state.error}`}
      </span>
    </form>
  );
}
