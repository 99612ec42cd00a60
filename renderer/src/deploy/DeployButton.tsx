import { useDesign } from '../store/design';
import { useChecks } from '../check/check-store';
import { useDeploy } from './deploy-store';

/**
 * The latest host check decides how Deploy starts a new run: amber asks to confirm the warnings,
 * red refuses unless the user gives a reason (kept in the run's journal by main, which refuses a
 * red check without one too). Returns the override reason, '' for none, or null: do not deploy.
 */
function confirmChecks(): string | null {
  const report = useChecks.getState().report;
  if (!report || report.verdict === 'green') return '';
  const items = report.results
    .filter((r) => r.status === report.verdict)
    .map((r) => `${r.host} ${r.check}: ${r.detail}`);
  if (report.verdict === 'amber') {
    return window.confirm(`The host check has warnings:\n${items.slice(0, 8).join('\n')}\n\nDeploy anyway?`)
      ? ''
      : null;
  }
  if (report.reach?.vip?.status === 'red') items.push(report.reach.vip.detail);
  const reason = window.prompt(
    `The host check found problems that make a deploy fail:\n${items.slice(0, 8).join('\n')}\n\n` +
      'Fix them and Check hosts again, or type why you deploy anyway (kept in the run’s journal):',
  );
  return reason?.trim() ? reason.trim() : null;
}

/**
 * Header button: deploys the open cluster, or resumes its interrupted run. Disabled, with the
 * reason as its title and in the Deploy tab, while the design has errors or a host key is not
 * trusted yet.
 */
export function DeployButton() {
  const open = useDesign((s) => s.history !== null);
  const { readiness, running, deploy } = useDeploy();
  const blockers = readiness?.blockers ?? [];
  const last = readiness?.lastRun;
  const resumable =
    !!last && ['interrupted', 'failed', 'cancelled'].includes(last.state) && !last.planChanged;
  const reason = !open
    ? 'open a cluster first'
    : !readiness
      ? 'checking whether the design can be deployed…'
      : blockers.length
        ? blockers.join('; ')
        : running
          ? 'a deploy is running (see the Deploy tab)'
          : resumable
            ? `resume run ${last.runId} where it stopped (finished steps are not run again)`
            : 'deploy this design to its hosts over SSH';
  return (
    <>
      <button
        type="button"
        className="deploy-button"
        disabled={!open || !readiness || blockers.length > 0 || running}
        title={reason}
        aria-describedby="deploy-reason"
        onClick={() => {
          if (resumable) return void deploy(true);
          const override = confirmChecks();
          if (override !== null) void deploy(false, undefined, override || undefined);
        }}
        data-testid="deploy-button"
      >
        {running
          ? 'Deploying…'
          : resumable
            ? 'Resume deploy'
            : readiness?.deployed
              ? 'Deploy again'
              : 'Deploy'}
      </button>
      <span id="deploy-reason" className="visually-hidden" data-testid="deploy-reason">
        {reason}
      </span>
    </>
  );
}
