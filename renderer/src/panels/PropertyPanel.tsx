import { useDesign } from '../store/design';
import { ENDPOINT_ID, sshEdgeHost } from '../store/edits';
import { ClusterProperties } from './ClusterProperties';
import { EndpointProperties } from './EndpointProperties';
import { HostProperties } from './HostProperties';
import { MultiHostProperties } from './MultiHostProperties';

/** Edits the selection: one host, the API endpoint, an SSH route, several nodes, or (nothing selected) the cluster. */
export function PropertyPanel() {
  const project = useDesign((s) => s.history?.present);
  const selection = useDesign((s) => s.selection);
  if (!project) {
    return (
      <div>
        <h2>Properties</h2>
        <p className="muted">Open or create a cluster.</p>
      </div>
    );
  }
  if (selection.length > 1) {
    const chosen = new Set(selection);
    const hosts = project.spec.hosts.filter((h) => chosen.has(h.name));
    return (
      <div className="props">
        <h2>{selection.length} nodes selected</h2>
        <p className="muted">
          {selection.map((id) => (id === ENDPOINT_ID ? 'API endpoint' : id)).join(', ')}
        </p>
        <button type="button" onClick={() => useDesign.getState().deleteSelection()}>
          Delete {selection.length} nodes
        </button>
        {hosts.length > 1 && <MultiHostProperties key={hosts.map((h) => h.name).join(',')} hosts={hosts} />}
      </div>
    );
  }
  const id = selection[0];
  const routed = id === undefined ? undefined : sshEdgeHost(id);
  const routedHost = routed === undefined ? undefined : project.spec.hosts.find((h) => h.name === routed);
  if (routedHost?.ssh.via) {
    return (
      <div className="props" data-testid="ssh-route-properties">
        <h2>SSH route</h2>
        <p>
          Keelson reaches <strong>{routedHost.name}</strong> through the bastion{' '}
          <strong>{routedHost.ssh.via}</strong>.
        </p>
        <button type="button" onClick={() => useDesign.getState().deleteSelection()}>
          Remove this route (reach {routedHost.name} directly)
        </button>
      </div>
    );
  }
  if (id === ENDPOINT_ID) return <EndpointProperties endpoint={project.spec.apiEndpoint} />;
  const host = id === undefined ? undefined : project.spec.hosts.find((h) => h.name === id);
  // Keyed by name so a rename or another host starts with fresh field drafts.
  if (host) return <HostProperties key={host.name} host={host} />;
  return <ClusterProperties project={project} />;
}
