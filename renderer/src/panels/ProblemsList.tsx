import type { Finding, Severity } from '../../../shared/validation/finding';
import { useDesign } from '../store/design';
import { findingsOf, ownersOf, useWorkspaceMembers } from '../store/findings';

const ICON: Record<Severity, string> = { error: '✖', warning: '▲', info: 'ℹ' };
const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

function where(finding: Finding): string {
  return finding.target.kind === 'host' ? finding.target.name : finding.target.path;
}

/** Every finding of the live validation; a click selects what it is about (every host it names) and centres on it. */
export function ProblemsList() {
  const project = useDesign((s) => s.history?.present);
  useWorkspaceMembers(); // the checks across clusters change with the workspace list
  if (!project) return <p className="muted">No cluster open.</p>;
  const findings = [...findingsOf(project)].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  if (findings.length === 0)
    return (
      <p className="muted" data-testid="no-problems">
        No problems.
      </p>
    );
  return (
    <ul className="problems" data-testid="problems-list">
      {findings.map((f, i) => (
        <li key={`${f.code}:${where(f)}:${i}`}>
          <button
            type="button"
            className={`problem problem-${f.severity}`}
            data-testid={`problem-${f.code}`}
            data-target={where(f)}
            onClick={() => useDesign.getState().focusOn(ownersOf(f, project))}
          >
            <span className="problem-icon" aria-label={f.severity}>
              {ICON[f.severity]}
            </span>
            <code className="problem-code">{f.code}</code>
            <span className="problem-where">{where(f)}</span>
            <span className="problem-message">{f.message}</span>
            {f.fix && <span className="problem-fix">Fix: {f.fix}</span>}
          </button>
        </li>
      ))}
    </ul>
  );
}

/** Errors and warnings for the tab's badge. */
export function useProblemCounts(): { errors: number; warnings: number } {
  const project = useDesign((s) => s.history?.present);
  useWorkspaceMembers();
  if (!project) return { errors: 0, warnings: 0 };
  const findings = findingsOf(project);
  return {
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
  };
}
