import { useState } from 'react';

const TABS = ['problems', 'logs', 'terminals'] as const;
type Tab = (typeof TABS)[number];

export function BottomPanel() {
  const [tab, setTab] = useState<Tab>('problems');
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
          </button>
        ))}
      </div>
      <div role="tabpanel" className="tab-body" data-testid={`panel-${tab}`}>
        {tab === 'problems' && <p className="muted">No problems.</p>}
        {tab === 'logs' && <p className="muted">No logs yet.</p>}
        {tab === 'terminals' && <p className="muted">No terminals open.</p>}
      </div>
    </div>
  );
}
