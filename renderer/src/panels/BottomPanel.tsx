import { DeployPanel } from '../deploy/DeployPanel';
import { TerminalsPanel } from '../terminal/TerminalsPanel';
import { BOTTOM_TABS as TABS, useBottomTab } from './bottom-tab';
import { ProblemsList, useProblemCounts } from './ProblemsList';

function ProblemsBadge() {
  const { errors, warnings } = useProblemCounts();
  if (errors + warnings === 0) return null;
  return (
    <span
      className={`tab-badge ${errors > 0 ? 'badge-error' : 'badge-warning'}`}
      data-testid="problems-count"
      title={`${errors} errors, ${warnings} warnings`}
    >
      {errors + warnings}
    </span>
  );
}

export function BottomPanel() {
  const tab = useBottomTab((s) => s.tab);
  const setTab = useBottomTab((s) => s.show);
  return (
    <div className="bottom-panel">
      <div role="tablist" className="tabs">
        {TABS.map((name) => (
          <button
            key={name}
            role="tab"
            type="button"
            aria-selected={tab === name}
            onClick={() => setTab(name)}
            data-testid={`tab-${name}`}
          >
            {name[0]!.toUpperCase() + name.slice(1)}
            {name === 'problems' && <ProblemsBadge />}
          </button>
        ))}
      </div>
      <div role="tabpanel" className="tab-body" data-testid={`panel-${tab}`}>
        {tab === 'problems' && <ProblemsList />}
        {tab === 'deploy' && <DeployPanel />}
        {tab === 'terminals' && <TerminalsPanel />}
      </div>
    </div>
  );
}
