// Lint fixture: a renderer file using Node's file system. Must be rejected.
import { readFileSync } from 'node:fs';
export const read = readFileSync;
