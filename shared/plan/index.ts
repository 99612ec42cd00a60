export { generatePlan } from './generate';
export { PlanError } from './errors';
export type { OsFamily, PlanOptions } from './context';
export { shq } from './shell';
export * from './types';
