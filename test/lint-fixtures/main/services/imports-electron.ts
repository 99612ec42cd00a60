// Lint fixture: a main/ service importing electron. Only main/electron/ may. Must be rejected.
import { BrowserWindow } from 'electron';
export const Window = BrowserWindow;
