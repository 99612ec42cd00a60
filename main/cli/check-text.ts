import { blockedMatrix, CHECK_TITLES, flowLabel, type CheckReport } from '../../shared/check/report';
import { terminalSafe } from './terminal-text';

const MARK = { green: 'ok', amber: 'WARN', red: 'FAIL' } as const;

const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - s.length));

/**
 * The report as text: a hosts × checks table (ok / WARN / FAIL), then every cell that is not
 * green with what was found and its fix, the blocked pairs as a matrix, and the VIP.
 */
export function reportText(report: CheckReport): string {
  const out: string[] = [];
  const cell = (host: string, check: string) =>
    report.results.find((r) => r.host === host && r.check === check);
  const hostWidth = Math.max(4, ...report.hosts.map((h) => terminalSafe(h).length));
  const cols = report.columns;
  const widths = cols.map((c) => Math.max((CHECK_TITLES[c] ?? c).length, 4));
  out.push(
    [pad('host', hostWidth), ...cols.map((c, i) => pad(CHECK_TITLES[c] ?? c, widths[i]!))]
      .join('  ')
      .trimEnd(),
  );
  for (const h of report.hosts) {
    out.push(
      [
        pad(terminalSafe(h), hostWidth),
        ...cols.map((c, i) => {
          const r = cell(h, c);
          return pad(r ? MARK[r.status] : '-', widths[i]!);
        }),
      ]
        .join('  ')
        .trimEnd(),
    );
  }
  const problems = report.results.filter((r) => r.status !== 'green');
  if (problems.length) {
    out.push('', 'Problems:');
    for (const r of [...problems].sort((a, b) => (a.status === b.status ? 0 : a.status === 'red' ? -1 : 1))) {
      out.push(`  ${MARK[r.status]} ${terminalSafe(r.host)} ${r.check}: ${terminalSafe(r.detail)}`);
      if (r.fix) out.push(`       fix: ${terminalSafe(r.fix)}`);
    }
  }
  if (report.reach) {
    const { cells } = blockedMatrix(report);
    const flows = report.reach.flows;
    out.push(
      '',
      `Reachability: ${flows.filter((f) => f.result === 'ok').length} of ${flows.length} flows arrived` +
        `, ${flows.filter((f) => f.result === 'blocked').length} blocked, ${flows.filter((f) => f.result === 'untested').length} not tested`,
    );
    if (cells.size) {
      out.push('  blocked (from ↓ to →):');
      const targets = report.hosts.filter((h) => [...cells.keys()].some((k) => k.endsWith(`\u0000${h}`)));
      const sources = report.hosts.filter((h) => [...cells.keys()].some((k) => k.startsWith(`${h}\u0000`)));
      const w = Math.max(
        ...targets.map((t) =>
          Math.max(t.length, ...sources.map((s) => (cells.get(`${s}\u0000${t}`) ?? []).join(',').length)),
        ),
      );
      out.push(
        `  ${pad('', hostWidth)}  ${targets.map((t) => pad(terminalSafe(t), w)).join('  ')}`.trimEnd(),
      );
      for (const s of sources) {
        out.push(
          `  ${pad(terminalSafe(s), hostWidth)}  ${targets.map((t) => pad((cells.get(`${s}\u0000${t}`) ?? ['.']).join(','), w)).join('  ')}`.trimEnd(),
        );
      }
      for (const f of flows.filter((x) => x.result === 'blocked')) {
        out.push(`  ${terminalSafe(f.from)} → ${terminalSafe(f.to)} ${flowLabel(f)} (${f.why}): ${f.detail}`);
      }
    }
    const vip = report.reach.vip;
    if (vip) out.push(`VIP ${vip.address}: ${MARK[vip.status]} ${terminalSafe(vip.detail)}`);
  }
  out.push(
    '',
    `${report.verdict === 'red' ? 'FAIL' : report.verdict === 'amber' ? 'WARN' : 'ok'}: ${report.hosts.length} hosts checked in ${(report.durationMs / 1000).toFixed(1)} s` +
      (report.verdict === 'red'
        ? ' — fix the FAIL cells before deploying'
        : report.verdict === 'amber'
          ? ' — deployable; read the warnings'
          : ' — ready to deploy'),
  );
  return `${out.join('\n')}\n`;
}
