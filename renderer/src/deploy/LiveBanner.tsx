import { useLive } from './live-store';

/**
 * What the canvas cannot show on a node: the API unreachable (and why, from SSH), nodes in the
 * cluster the design lacks, deployed nodes the cluster lacks.
 */
export function LiveBanner() {
  const state = useLive((s) => s.state);
  if (!state) return null;
  if (!state.reachable)
    return (
      <div className="live-banner live-down" role="status" data-testid="live-banner">
        <strong>The cluster's API does not answer</strong>: {state.error}
        {state.diagnosis?.length ? (
          <ul>
            {state.diagnosis.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        ) : (
          <span className="muted"> (checking over SSH…)</span>
        )}
      </div>
    );
  if (!state.notInDesign.length && !state.notInCluster.length) return null;
  return (
    <div className="live-banner" role="status" data-testid="live-banner">
      {state.notInDesign.length > 0 && (
        <div>In the cluster but not in the design: {state.notInDesign.join(', ')}</div>
      )}
      {state.notInCluster.length > 0 && (
        <div>Deployed but not in the cluster now: {state.notInCluster.join(', ')}</div>
      )}
    </div>
  );
}
