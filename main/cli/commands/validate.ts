import { parseArgs } from 'node:util';
import { describeKubernetesVersion, todayIso } from '../../../shared/kubernetes/releases';
import { formatProjectErrors } from '../../../shared/model/parse';
import type { Finding } from '../../../shared/validation/finding';
import { findingCodesMarkdown, validateCluster } from '../../../shared/validation';
import type { CliCommand, CliIo } from '../command';
import { readProjectFile } from '../project-file';

const USAGE = `Usage: keelson validate FILE [--json]
       keelson validate --codes

Checks a NAME.keelson.yaml project: the file format, then the design (quorum, VIP subnet,
ports, CIDR overlaps, bastions, versions). Prints every finding with its code and a fix.

Options:
  --json    print {file, ok, kubernetes, findings} (or {file, ok, errors} for an unreadable file) as JSON
  --codes   print the table of finding codes (Markdown)
  -h, --help

Exit status: 0 no errors (warnings and info allowed), 1 errors or an unreadable file, 2 usage.
`;

function targetText(finding: Finding): string {
  return finding.target.kind === 'host' ? `host ${finding.target.name}` : finding.target.path;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 || word === 'info' ? '' : 's'}`;
}

function printFindings(file: string, findings: Finding[], io: CliIo): void {
  const width = Math.max(0, ...findings.map((f) => f.code.length));
  for (const f of findings) {
    io.out(`${f.severity.padEnd(7)} ${f.code.padEnd(width)}  ${targetText(f)}: ${f.message}\n`);
    if (f.fix) io.out(`${' '.repeat(8 + width + 2)}fix: ${f.fix}\n`);
  }
  const by = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  io.out(
    `${file}: ${plural(by('error'), 'error')}, ${plural(by('warning'), 'warning')}, ${plural(by('info'), 'info')}\n`,
  );
}

export const validateCommand: CliCommand = {
  name: 'validate',
  usage: USAGE,
  summary: 'check a cluster project file and list findings (exit 1 on errors)',
  async run(args, io) {
    let values: { json?: boolean; codes?: boolean; help?: boolean };
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
          json: { type: 'boolean' },
          codes: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      }));
    } catch (error) {
      io.err(`keelson validate: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    if (values.codes) {
      io.out(`${findingCodesMarkdown()}\n`);
      return 0;
    }
    if (positionals.length !== 1) {
      io.err(`keelson validate: expected one FILE, got ${positionals.length}\n\n${USAGE}`);
      return 2;
    }
    const file = positionals[0]!;
    const parsed = await readProjectFile(file);
    if (!parsed.ok && 'unreadable' in parsed) {
      const why = parsed.unreadable;
      if (values.json)
        io.out(
          `${JSON.stringify({ file, ok: false, errors: [{ message: why, path: '', line: 0, column: 0 }] })}\n`,
        );
      else io.err(`keelson validate: ${file}: ${why}\n`);
      return 1;
    }
    if (!parsed.ok) {
      if (values.json) io.out(`${JSON.stringify({ file, ok: false, errors: parsed.errors }, null, 2)}\n`);
      else io.err(`${formatProjectErrors(parsed.errors, file)}\n`);
      return 1;
    }
    const today = todayIso();
    const findings = validateCluster(parsed.project, { today });
    const hasErrors = findings.some((f) => f.severity === 'error');
    const kubernetes = describeKubernetesVersion(parsed.project.spec.kubernetesVersion, today);
    if (values.json) io.out(`${JSON.stringify({ file, ok: !hasErrors, kubernetes, findings }, null, 2)}\n`);
    else {
      io.out(`${file}: ${kubernetes}\n`);
      printFindings(file, findings, io);
    }
    return hasErrors ? 1 : 0;
  },
};
