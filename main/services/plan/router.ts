import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, normalize } from 'node:path';
import { implement } from '@orpc/server';
import { contract } from '../../../shared/contract';
import type { PlanSource } from '../../../shared/contract/plan';
import type { ClusterProject } from '../../../shared/model/cluster';
import { checkProjectObject } from '../../../shared/model/parse';
import { PlanError } from '../../../shared/plan/errors';
import { generatePlan } from '../../../shared/plan/generate';
import type { Plan } from '../../../shared/plan/types';
import { KEELSON_VERSION } from '../../../shared/version';
import type { ServiceContext } from '../context';
import { WorkspaceError } from '../workspace/errors';
import { workspaceFolder } from '../workspace/folder';
import { WorkspaceStore } from '../workspace/store';
import { PlanExportError, exportPlan } from './export';

const os = implement(contract.plan).$context<ServiceContext>();

type Errors = Parameters<Parameters<typeof os.generate.handler>[0]>[0]['errors'];

/** The project a request names: a workspace file by id, or an object checked against the schema. */
async function loadProject(source: PlanSource, errors: Errors): Promise<ClusterProject> {
  if ('id' in source) {
    let opened: Awaited<ReturnType<WorkspaceStore['open']>>;
    try {
      opened = await new WorkspaceStore(workspaceFolder()).open(source.id);
    } catch (error) {
      if (error instanceof WorkspaceError && error.failure.code === 'NOT_FOUND')
        throw errors.NOT_FOUND({ message: error.message, data: { id: source.id } });
      throw error;
    }
    if ('error' in opened)
      throw errors.INVALID_PROJECT({
        message: `cluster "${source.id}" cannot be read: ${opened.error}`,
        data: { errors: [{ message: opened.error, path: '' }] },
      });
    return opened.project;
  }
  const checked = checkProjectObject(source.project);
  if (!checked.ok) {
    const first = checked.errors[0];
    throw errors.INVALID_PROJECT({
      message: `the project is not valid: ${first ? `${first.path || 'project'}: ${first.message}` : 'unknown error'}`,
      data: { errors: checked.errors.map(({ message, path }) => ({ message, path })) },
    });
  }
  return checked.project;
}

/**
 * The plan, with the same gate as `keelson plan`: a project with error findings is not planned
 * (the Problems panel lists them), so the app and the CLI always agree on what is plannable.
 */
function plan(project: ClusterProject, errors: Errors): Plan {
  let result: Plan;
  try {
    result = generatePlan(project, { keelsonVersion: KEELSON_VERSION });
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    // PlanError is the validator's verdict: its error findings, the first one named.
    const first = error.findings[0];
    const path =
      first?.target.kind === 'host' ? `host ${first.target.name}` : (first?.target.path ?? error.path);
    const message = first?.message ?? error.message;
    const more = error.findings.length > 1 ? ` (and ${error.findings.length - 1} more; see Problems)` : '';
    throw errors.CANNOT_PLAN({
      message: `fix the project's errors first: ${path}: ${message}${more}`,
      data: { message, path },
    });
  }
  // A design with no hosts plans to nothing; say so rather than show an empty plan.
  if (result.phases.length === 0) {
    const message = 'nothing to deploy yet: the design has no hosts';
    throw errors.CANNOT_PLAN({ message: `spec.hosts: ${message}`, data: { message, path: 'spec.hosts' } });
  }
  return result;
}

/** `~` and `~/…` as a shell would read them: the home folder of the user running the services. */
export function expandHome(folder: string, home: string): string {
  if (folder === '~') return home;
  return folder.startsWith('~/') ? join(home, folder.slice(2)) : folder;
}

/**
 * The folder the user typed, checked before anything is written: absolute (or under `~`), not a
 * file, and empty unless they asked to replace what is there (so a typo never mixes two plans).
 */
async function checkFolder(typed: string, overwrite: boolean, errors: Errors): Promise<string> {
  const bad = (message: string) => errors.BAD_FOLDER({ message, data: { folder: typed } });
  if (typed.includes('\0')) throw bad('the folder path contains a NUL character');
  if (/^~[^/]/.test(typed))
    throw bad(`"${typed}": only ~ and ~/… (your own home folder) are expanded, not another user's ~name`);
  const folder = expandHome(typed, homedir());
  if (!isAbsolute(folder)) throw bad(`"${folder}" is not an absolute path: give the full path of the folder`);
  const target = normalize(folder);
  let info;
  try {
    info = await stat(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return target; // created by the export
    throw bad(`cannot use "${target}": ${(error as Error).message}`);
  }
  if (!info.isDirectory()) throw bad(`"${target}" exists and is not a folder`);
  if (!overwrite && (await readdir(target)).length > 0)
    throw bad(`"${target}" is not empty: choose an empty folder, or allow replacing its contents`);
  return target;
}

export const planRouter = {
  generate: os.generate.handler(async ({ input, errors }) => plan(await loadProject(input, errors), errors)),
  export: os.export.handler(async ({ input, errors }) => {
    const { folder, overwrite, ...source } = input;
    const target = await checkFolder(folder, overwrite, errors);
    const generated = plan(await loadProject(source as PlanSource, errors), errors);
    try {
      const written = await exportPlan(generated, target, { overwrite });
      return { folder: written.folder, files: written.files };
    } catch (error) {
      if (error instanceof PlanExportError || (error as NodeJS.ErrnoException).code)
        throw errors.BAD_FOLDER({
          message: `cannot export to ${target}: ${(error as Error).message}`,
          data: { folder },
        });
      throw error;
    }
  }),
};
