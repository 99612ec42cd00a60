import { parseArgs } from 'node:util';
import { formatProjectErrors } from '../../../shared/model/parse';
import { PlanError } from '../../../shared/plan/errors';
import { PHASES } from '../../../shared/plan/phases';
import { generatePlan } from '../../../shared/plan/generate';
import type { OsFamily } from '../../../shared/plan/context';
import { PlanExportError, exportPlan } from '../../services/plan/export';
import type { CliCommand } from '../command';
import { readProjectFile } from '../project-file';

const USAGE = `Usage: keelson plan FILE --out DIR [--os debian|rhel] [--host-os NAME=debian|rhel]... [--overwrite]

Validates a NAME.keelson.yaml project (refuses on errors) and writes its deploy plan as a folder:
README.md and plan.json at the top, one folder per phase and step with script.sh, check.sh,
step.json and files/ (the files the step writes on its host). Nothing is run; no secret is written
(secrets appear as {{secret:NAME}} placeholders).

Options:
  --out DIR          folder to write (created; refused when not empty unless --overwrite)
  --os FAMILY        OS family of every host without a known one (default debian)
  --host-os N=F      OS family of one host (repeatable)
  --overwrite        replace DIR when it is not empty
  -h, --help

Exit status: 0 written, 1 invalid project or cannot write, 2 usage.

Phases, in the order a deploy runs them:
${PHASES.map((p) => `  ${p.id.padEnd(20)} ${p.parallel ? '(hosts in parallel)' : '(one step at a time)'} ${p.description}`).join('\n')}
`;

const FAMILIES: readonly string[] = ['debian', 'rhel'];

export const planCommand: CliCommand = {
  name: 'plan',
  usage: USAGE,
  summary: 'write the deploy plan of a project as a folder of per-host scripts (runs nothing)',
  async run(args, io) {
    let values: { out?: string; os?: string; 'host-os'?: string[]; overwrite?: boolean; help?: boolean };
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          out: { type: 'string', short: 'o' },
          os: { type: 'string' },
          'host-os': { type: 'string', multiple: true },
          overwrite: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      }));
    } catch (error) {
      io.err(`keelson plan: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    if (positionals.length !== 1 || !values.out) {
      io.err(`keelson plan: expected one FILE and --out DIR\n\n${USAGE}`);
      return 2;
    }
    if (values.os && !FAMILIES.includes(values.os)) {
      io.err(`keelson plan: --os must be debian or rhel, not "${values.os}"\n`);
      return 2;
    }
    const perHost: Record<string, OsFamily> = {};
    for (const entry of values['host-os'] ?? []) {
      const [name, family] = entry.split('=');
      if (!name || !family || !FAMILIES.includes(family)) {
        io.err(`keelson plan: --host-os expects NAME=debian or NAME=rhel, not "${entry}"\n`);
        return 2;
      }
      perHost[name] = family as OsFamily;
    }
    const file = positionals[0]!;
    const parsed = await readProjectFile(file);
    if (!parsed.ok && 'unreadable' in parsed) {
      io.err(`keelson plan: ${file}: ${parsed.unreadable}\n`);
      return 1;
    }
    if (!parsed.ok) {
      io.err(`${formatProjectErrors(parsed.errors, file)}\n`);
      return 1;
    }
    const defaultFamily = (values.os as OsFamily | undefined) ?? 'debian';
    // Per-host choices first, then the host's own `os`, then --os.
    const families: Record<string, OsFamily> = {};
    for (const h of parsed.project.spec.hosts) families[h.name] = perHost[h.name] ?? h.os ?? defaultFamily;
    let plan;
    try {
      plan = generatePlan(parsed.project, { keelsonVersion: io.version, osFamily: families });
    } catch (error) {
      // The validator is the only judge of what is plannable: its errors are the reasons.
      if (error instanceof PlanError) {
        for (const f of error.findings) {
          const where = f.target.kind === 'host' ? `host ${f.target.name}` : f.target.path;
          io.err(`error ${f.code}  ${where}: ${f.message}\n`);
        }
        const n = error.findings.length;
        io.err(
          `keelson plan: ${file} has ${n} error${n === 1 ? '' : 's'}; no plan written (see keelson validate)\n`,
        );
        return 1;
      }
      throw error;
    }
    if (plan.phases.length === 0) {
      io.err(`keelson plan: ${file}: spec.hosts: nothing to deploy yet: the design has no hosts\n`);
      return 1;
    }
    try {
      const written = await exportPlan(plan, values.out, { overwrite: values.overwrite ?? false });
      const steps = plan.phases.reduce((n, p) => n + p.steps.length, 0);
      io.out(`${written.folder}: ${plan.phases.length} phases, ${steps} steps, ${written.files} files\n`);
      return 0;
    } catch (error) {
      if (error instanceof PlanExportError || (error as NodeJS.ErrnoException).code) {
        io.err(`keelson plan: ${(error as Error).message}\n`);
        return 1;
      }
      throw error;
    }
  },
};
