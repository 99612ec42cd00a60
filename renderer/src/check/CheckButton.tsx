import { useDesign } from '../store/design';
import { useChecks } from './check-store';

/** Header button beside Deploy: checks every host before a deploy, read-only. */
export function CheckButton() {
  const open = useDesign((s) => s.history !== null);
  const { running, report, run } = useChecks();
  const verdict = report?.verdict;
  return (
    <button
      type="button"
      className={`check-button${verdict ? ` check-${verdict}` : ''}`}
      disabled={!open || running}
      onClick={() => void run()}
      title="check every host before deploying: SSH, sudo, OS, resources, ports, clocks, identities, all-pairs reachability, the VIP — nothing is changed"
      data-testid="check-button"
    >
      {running ? 'Checking hosts…' : 'Check hosts'}
    </button>
  );
}
