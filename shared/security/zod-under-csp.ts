import { z } from 'zod';

// The renderer runs under a CSP without 'unsafe-eval'. zod 4 probes for a faster
// JIT with `new Function("")`; the probe's failure is caught, but Chromium still reports
// it as a securitypolicyviolation. Import this module first in any page under that CSP.
z.config({ jitless: true });
