// First: zod must know it runs under our CSP before any schema parses.
import '../../shared/security/zod-under-csp';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles.css';
import { App } from './App';
import { watchSystemTheme } from './theme/theme';

watchSystemTheme();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
