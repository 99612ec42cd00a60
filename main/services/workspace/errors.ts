import type { ProjectError } from '../../../shared/model/parse';

/** Failures the workspace reports by code; the router turns them into the contract's typed errors. */
export type WorkspaceFailure =
  | { code: 'NOT_FOUND'; id: string }
  | { code: 'CONFLICT'; id: string; version?: string | null; project?: unknown }
  | { code: 'BUSY'; id: string }
  | { code: 'INVALID_PROJECT'; errors: ProjectError[] }
  | { code: 'FILE_BROKEN_ON_DISK'; id: string; errors: ProjectError[] };

export class WorkspaceError extends Error {
  constructor(
    message: string,
    readonly failure: WorkspaceFailure,
  ) {
    super(message);
    this.name = 'WorkspaceError';
  }
}
