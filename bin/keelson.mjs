#!/usr/bin/env node
// Entry of `npx keelson`: runs the built CLI (npm run build makes out/main/cli.js).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('keelson: not built yet. Run "npm run build" in the Keelson folder first.');
  process.exit(1);
}
await import(cli);
