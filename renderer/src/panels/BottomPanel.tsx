import { useEffect } from 'react';
import { CheckPanel } from '../check/CheckPanel';
import { DeployPanel } from '../deploy/DeployPanel';
import type { Collapsible } from '../layout/panels';
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

/** Tabs under the canvas; folded, only the tab strip shows, and choosing a tab unfolds it. */
export function BottomPanel({ fold }: { fold: Collapsible }) {
  const tab = useBottomTab((s) => s.tab);
  const setTab = useBottomTab((s) => s.show);
  const shown = useBottomTab((s) => s.shown);
  const { expand } = fold;
  // Opening a terminal or starting a deploy asks for its tab: a folded panel unfolds to show it.
  useEffect(() => {
    if (shown > 0) expand();
  }, [shown, expand]);
  return (
    <div className="bottom-panel" data-collapsed={fold.collapsed}>
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
        <span className="spacer" />
        <button
          type="button"
          className="fold-button"
          onClick={fold.toggle}
          aria-expanded={!fold.collapsed}
          title={fold.collapsed ? 'Show bottom panel' : 'Hide bottom panel'}
          data-testid="toggle-bottom"
        >
          <span aria-hidden>{fold.collapsed ? '▴' : '▾'}</span>
          <span className="visually-hidden">{fold.collapsed ? 'Show' : 'Hide'} bottom panel</span>
        </button>
      </div>
      <div role="tabpanel" className="tab-body" data-testid={`panel-${tab}`} hidden={fold.collapsed}>
        {tab === 'problems' && <ProblemsList />}
        {tab === 'checks' && <CheckPanel />}
        {tab === 'deploy' && <DeployPanel />}
        {tab === 'terminals' && <TerminalsPanel />}
      </div>
    </div>
  );
}
