// Lint fixture: a renderer file reaching into the main process. Must be rejected.
import { router } from '../main/services/router';
export const leaked = router;
