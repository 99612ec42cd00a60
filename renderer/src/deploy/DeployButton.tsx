import { useDesign } from '../store/design';
import { useDeploy } from './deploy-store';

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
        onClick={() => void deploy(resumable)}
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
