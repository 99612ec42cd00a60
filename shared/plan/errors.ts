/** A project the generators cannot turn into a plan; `path` points at the field to fix. */
export class PlanError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'PlanError';
  }
}
