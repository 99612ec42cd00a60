import { useConnection } from '../connection';
import { useTheme } from '../theme/theme';

const THEME_LABEL = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' } as const;

export function Header() {
  const { status, info, transport, error } = useConnection();
  const { choice, theme, cycle } = useTheme();
  return (
    <header className="header">
      <span className="brand">Keelson</span>
      <span className="breadcrumb" data-testid="breadcrumb">
        <span className="workspace">Workspace</span> / <span className="cluster-name">No cluster open</span>
      </span>
      <span className="spacer" />
      <span className={`connection connection-${status}`} data-testid="connection" title={error ?? ''}>
        {status === 'connected' ? `Connected · ${transport} · v${info?.version}` : status}
      </span>
      <button type="button" onClick={cycle} data-testid="theme-toggle" data-theme={theme}>
        {THEME_LABEL[choice]}
      </button>
    </header>
  );
}
