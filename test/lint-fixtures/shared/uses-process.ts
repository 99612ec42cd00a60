// Lint fixture: shared/ touching Node's process and importing electron. Must be rejected.
import { app } from 'electron';
export const platform = process.platform + String(app);
