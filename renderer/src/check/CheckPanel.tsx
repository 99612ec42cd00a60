import { blockedMatrix, CHECK_TITLES, flowLabel } from '../../../shared/check/report';
import { useChecks } from './check-store';
import './check.css';

const MARK = { green: '✓', amber: '!', red: '✗' } as const;

/** The Checks tab: hosts × checks (hover a cell for what was found and the fix), problems, blocked pairs. */
export function CheckPanel() {
  const { report, running, error } = useChecks();
  if (error)
    return (
      <p className="check-error" role="alert">
        {error}
      </p>
    );
  if (!report)
    return (
      <p className="muted">
        {running
          ? 'Checking every host…'
          : 'Click Check hosts to check every host before deploying (nothing is changed).'}
      </p>
    );
  const cell = (h: string, c: string) => report.results.find((r) => r.host === h && r.check === c);
  const problems = report.results.filter((r) => r.status !== 'green');
  const { cells } = blockedMatrix(report);
  const targets = report.hosts.filter((t) => report.hosts.some((s) => cells.has(`${s}\u0000${t}`)));
  const sources = report.hosts.filter((s) => targets.some((t) => cells.has(`${s}\u0000${t}`)));
  return (
    <div className="check-panel" data-testid="check-report">
      <p className={`check-verdict check-${report.verdict}`} data-testid="check-verdict">
        {report.verdict === 'red'
          ? 'Red: fix these before deploying (or deploy with a reason).'
          : report.verdict === 'amber'
            ? 'Amber: deployable; read the warnings.'
            : 'Green: ready to deploy.'}{' '}
        {report.hosts.length} hosts in {(report.durationMs / 1000).toFixed(1)} s
        {running ? ' — checking again…' : ''}
      </p>
      <table className="check-table">
        <thead>
          <tr>
            <th>host</th>
            {report.columns.map((c) => (
              <th key={c}>{CHECK_TITLES[c] ?? c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {report.hosts.map((h) => (
            <tr key={h}>
              <th>{h}</th>
              {report.columns.map((c) => {
                const r = cell(h, c);
                return (
                  <td
                    key={c}
                    className={r ? `check-${r.status}` : ''}
                    title={r ? `${r.detail}${r.fix ? `\nfix: ${r.fix}` : ''}` : ''}
                    data-testid={`check-cell-${h}-${c}`}
                    data-status={r?.status ?? 'none'}
                  >
                    {r ? MARK[r.status] : ''}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {report.reach?.vip && (
        <p className={`check-${report.reach.vip.status}`} data-testid="check-vip">
          VIP {report.reach.vip.address}: {report.reach.vip.detail}
        </p>
      )}
      {problems.length > 0 && (
        <ul className="check-problems" data-testid="check-problems">
          {problems.map((r) => (
            <li key={`${r.host}-${r.check}`} className={`check-${r.status}`}>
              <strong>
                {r.host} · {CHECK_TITLES[r.check] ?? r.check}
              </strong>
              : {r.detail}
              {r.fix && <div className="check-fix">fix: {r.fix}</div>}
            </li>
          ))}
        </ul>
      )}
      {targets.length > 0 && (
        <table className="check-matrix" data-testid="check-blocked">
          <caption>Blocked pairs (from ↓ to →)</caption>
          <thead>
            <tr>
              <th />
              {targets.map((t) => (
                <th key={t}>{t}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {sources.map((s) => (
              <tr key={s}>
                <th>{s}</th>
                {targets.map((t) => (
                  <td key={t} className={cells.has(`${s}\u0000${t}`) ? 'check-red' : ''}>
                    {(cells.get(`${s}\u0000${t}`) ?? []).join(', ')}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report.reach && (
        <p className="muted">
          Reachability: {report.reach.flows.filter((f) => f.result === 'ok').length} of{' '}
          {report.reach.flows.length} flows arrived
          {report.reach.flows.some((f) => f.result === 'untested')
            ? `; not tested: ${report.reach.flows
                .filter((f) => f.result === 'untested')
                .slice(0, 3)
                .map((f) => `${f.from} → ${f.to} ${flowLabel(f)}`)
                .join(', ')}`
            : ''}
        </p>
      )}
    </div>
  );
}
