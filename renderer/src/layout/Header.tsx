import { CheckButton } from '../check/CheckButton';
import { DeployButton } from '../deploy/DeployButton';
import { PlanButton } from '../plan/PlanButton';
import { useDesign } from '../store/design';
import { useTheme } from '../theme/theme';
import { ClustersMenu } from '../workspace/ClustersMenu';
import { SaveStatus } from '../workspace/SaveStatus';
import { ConnectionStatus } from './ConnectionStatus';

const THEME_LABEL = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' } as const;

export function Header() {
  const { choice, theme, cycle } = useTheme();
  const clusterName = useDesign((s) => s.history?.present.metadata.name);
  const canUndo = useDesign((s) => (s.history?.past.length ?? 0) > 0);
  const canRedo = useDesign((s) => (s.history?.future.length ?? 0) > 0);
  return (
    <header className="header">
      <span className="brand">Keelson</span>
      <span className="breadcrumb" data-testid="breadcrumb">
        <span className="workspace">Workspace</span> /{' '}
        <span className="cluster-name" data-testid="cluster-name">
          {clusterName ?? 'No cluster open'}
        </span>
      </span>
      <ClustersMenu />
      <SaveStatus />
      <span className="spacer" />
      <PlanButton />
      <CheckButton />
      <DeployButton />
      <button
        type="button"
        disabled={!canUndo}
        onClick={() => useDesign.getState().undo()}
        title="Undo (Ctrl+Z)"
      >
        Undo
      </button>
      <button
        type="button"
        disabled={!canRedo}
        onClick={() => useDesign.getState().redo()}
        title="Redo (Ctrl+Shift+Z)"
      >
        Redo
      </button>
      <ConnectionStatus />
      <button type="button" onClick={cycle} data-testid="theme-toggle" data-theme={theme}>
        {THEME_LABEL[choice]}
      </button>
    </header>
  );
}
