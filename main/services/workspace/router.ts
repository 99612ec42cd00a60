import { implement } from '@orpc/server';
import { contract } from '../../../shared/contract';
import type { ServiceContext } from '../context';
import { fileProblemOf } from '../file-errors';
import { WorkspaceError } from './errors';
import { keelsonHome, workspaceFolder } from './folder';
import { WorkspaceStore } from './store';
import { listTemplates } from './templates';

const os = implement(contract.workspace).$context<ServiceContext>();

// One store per folder: it remembers which file versions this session read or wrote.
const stores = new Map<string, WorkspaceStore>();
function store(): WorkspaceStore {
  const folder = workspaceFolder();
  let found = stores.get(folder);
  if (!found) {
    found = new WorkspaceStore(folder, {}, keelsonHome());
    stores.set(folder, found);
  }
  return found;
}

type Errors = Parameters<Parameters<typeof os.save.handler>[0]>[0]['errors'];

/** Runs a store call, turning its failures into the contract's typed errors. */
async function typed<T>(errors: Errors, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const problem = fileProblemOf(error);
    if (problem)
      // Said in words, with the path ("the disk is full (writing …)"), never "Internal server error".
      throw errors.FILE_SYSTEM({
        message: `${problem.message}; nothing on disk changed`,
        data: { code: problem.code, ...(problem.path ? { path: problem.path } : {}) },
      });
    if (!(error instanceof WorkspaceError)) throw error;
    const { failure, message } = error;
    switch (failure.code) {
      case 'NOT_FOUND':
        throw errors.NOT_FOUND({ message, data: { id: failure.id } });
      case 'CONFLICT':
        throw errors.CONFLICT({
          message,
          data: {
            id: failure.id,
            ...(failure.version !== undefined ? { version: failure.version } : {}),
            ...(failure.project !== undefined ? { project: failure.project } : {}),
          },
        });
      case 'BUSY':
        throw errors.BUSY({ message, data: { id: failure.id } });
      case 'INVALID_PROJECT':
        throw errors.INVALID_PROJECT({ message, data: { errors: failure.errors } });
      case 'FILE_BROKEN_ON_DISK':
        throw errors.FILE_BROKEN_ON_DISK({ message, data: { id: failure.id, errors: failure.errors } });
    }
  }
}

export const workspaceRouter = {
  list: os.list.handler(async () => ({ folder: store().folder, clusters: await store().list() })),
  templates: os.templates.handler(() =>
    listTemplates().map(({ id, name, description }) => ({ id, name, description })),
  ),
  create: os.create.handler(({ input, errors }) =>
    typed(errors, () => store().create(input.name, input.templateId)),
  ),
  open: os.open.handler(({ input, errors }) =>
    typed(errors, async () => ({ id: input.id, ...(await store().open(input.id)) })),
  ),
  // The client connection is the writer: what another window wrote is always kept as a generation.
  save: os.save.handler(({ input, errors, context }) =>
    typed(errors, () => store().save(input.id, input.project, input.baseVersion, context)),
  ),
  rename: os.rename.handler(({ input, errors }) =>
    typed(errors, async () => ({ name: input.name, ...(await store().rename(input.id, input.name)) })),
  ),
  delete: os.delete.handler(({ input, errors }) =>
    typed(errors, async () => ({ deleted: await store().delete(input.id) })),
  ),
  trash: os.trash.handler(({ errors }) => typed(errors, () => store().trash())),
  restore: os.restore.handler(({ input, errors }) =>
    typed(errors, async () => ({ id: await store().restore(input.trashId) })),
  ),
  purge: os.purge.handler(({ input, errors }) =>
    typed(errors, async () => ({ purged: await store().purge(input.trashId) })),
  ),
  emptyTrash: os.emptyTrash.handler(({ input, errors }) =>
    typed(errors, () => store().emptyTrash(input.trashIds)),
  ),
};
