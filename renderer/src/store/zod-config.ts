import { z } from 'zod';

// zod 4 probes for eval (new Function) to compile fast parsers; under the renderer's CSP
// (no 'unsafe-eval') that probe is reported as a violation even though zod catches it.
// Jitless mode never probes. Imported first by App.tsx, before any schema parses.
z.config({ jitless: true });
