// Lint fixture: what a renderer file may import. Must pass.
import { contract } from '../shared/contract';
export const ok = contract;
