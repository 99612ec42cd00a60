import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  rmdir,
  stat,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { PlanLayoutError, planFiles } from '../../../shared/plan/export-files';
import type { Plan } from '../../../shared/plan/types';

export interface ExportOptions {
  /** Replace a non-empty folder. Without it a non-empty folder is refused. */
  overwrite?: boolean;
}

export interface ExportResult {
  folder: string;
  /** Files written (scripts, checks, step files, index). */
  files: number;
}

export class PlanExportError extends Error {
  override name = 'PlanExportError';
}

/** Writes the shared layout (shared/plan/export-files.ts) under `root`; a path that would climb out is refused. */
async function writeTree(plan: Plan, root: string): Promise<number> {
  let files;
  try {
    files = planFiles(plan);
  } catch (error) {
    if (error instanceof PlanLayoutError) throw new PlanExportError(error.message);
    throw error;
  }
  for (const file of files) {
    const path = resolve(root, ...file.path.split('/'));
    if (!path.startsWith(root + sep)) throw new PlanExportError(`file path ${file.path} escapes the export`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.content, { mode: file.mode });
    await chmod(path, file.mode); // writeFile's mode is filtered by the umask
  }
  return files.length;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether `folder` holds a plan an earlier export wrote (its plan.json says so). */
export async function holdsKeelsonPlan(folder: string): Promise<boolean> {
  try {
    const plan = JSON.parse(await readFile(join(folder, 'plan.json'), 'utf8')) as Partial<Plan>;
    return (
      typeof plan.generatedBy === 'string' &&
      plan.generatedBy.startsWith('keelson ') &&
      Array.isArray(plan.phases)
    );
  } catch {
    return false;
  }
}

/**
 * Writes the plan as a folder, all or nothing: everything goes to a fresh temporary folder beside
 * DIR (a unique name, so nobody's DIR.tmp is touched) and is renamed into place at the end, so an
 * interrupted export never leaves half a plan under DIR. With `overwrite`, only a folder that
 * holds an earlier Keelson plan is replaced; any other non-empty folder is refused.
 */
export async function exportPlan(
  plan: Plan,
  folder: string,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const target = resolve(folder);
  if (relative(target, '/') === '') throw new PlanExportError('refusing to export a plan into /');
  let replace = false;
  if (await exists(target)) {
    const info = await stat(target);
    if (!info.isDirectory()) throw new PlanExportError(`${target} exists and is not a folder`);
    if ((await readdir(target)).length > 0) {
      if (!options.overwrite)
        throw new PlanExportError(`${target} is not empty (use --overwrite to replace it)`);
      if (!(await holdsKeelsonPlan(target)))
        throw new PlanExportError(
          `${target} is not empty and does not hold a Keelson plan (no Keelson plan.json): refusing to replace it; choose an empty folder`,
        );
      replace = true;
    }
  }
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const temp = await mkdtemp(join(parent, `.${basename(target)}.keelson-export-`));
  await chmod(temp, 0o755);
  let files: number;
  try {
    files = await writeTree(plan, temp);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  try {
    if (replace) {
      // The old plan moves to a name of our own making, so only what we moved is deleted.
      const old = await mkdtemp(join(parent, `.${basename(target)}.keelson-old-`));
      await rename(target, join(old, 'plan'));
      await rename(temp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      if (await exists(target)) await rmdir(target); // empty (checked above): rename needs it gone
      await rename(temp, target);
    }
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  return { folder: target, files };
}
