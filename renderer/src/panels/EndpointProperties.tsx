import type { ApiEndpoint, EndpointPattern } from '../../../shared/model/cluster';
import { NODE_LOCAL_EDGE_LIMIT } from '../canvas/graph';
import { useDesign } from '../store/design';
import { fieldErrorOf } from '../store/findings';
import { NODE_HEIGHT, NODE_WIDTH } from '../canvas/layout';
import { placeEndpoint, portFor } from '../store/edits';

const NODE_SIZE = { width: NODE_WIDTH, height: NODE_HEIGHT };
import { CheckField, NumberField, SelectField, TextField } from './fields';

/** Short enough for the closed select at the panel's narrowest; the hint under it says the rest. */
export const PATTERNS: { value: EndpointPattern; label: string }[] = [
  { value: 'keepalived-haproxy', label: 'keepalived + haproxy' },
  { value: 'keepalived-nginx', label: 'keepalived + nginx' },
  { value: 'kube-vip', label: 'kube-vip' },
  { value: 'dedicated-lb', label: 'Dedicated LB hosts' },
  { value: 'node-local', label: 'Node-local nginx (no VIP)' },
  { value: 'external', label: 'External load balancer' },
];

const PATTERN_NOTES: Record<EndpointPattern, string> = {
  'keepalived-haproxy':
    'The VIP floats across the control planes; haproxy on each forwards to all API servers.',
  'keepalived-nginx':
    'The VIP floats across the control planes; nginx (stream) on each forwards to all API servers.',
  'kube-vip': 'kube-vip static pods hold the VIP on the control planes.',
  'dedicated-lb':
    'Hosts with the load balancer role run the proxy; the VIP (optional keepalived) fronts them.',
  'node-local': `Every node runs nginx on 127.0.0.1:6443 to all control planes: no VIP, no single balancer. Edges are drawn up to ${NODE_LOCAL_EDGE_LIMIT} pairs.`,
  external: 'A load balancer Keelson does not manage; the address is where clients reach it.',
};

/** The API endpoint: how clients and nodes reach the control planes. */
export function EndpointProperties({ endpoint }: { endpoint: ApiEndpoint }) {
  const apply = useDesign((s) => s.apply);
  const project = useDesign((s) => s.history?.present);
  const edit = (field: string, change: Partial<ApiEndpoint>) =>
    apply(
      (p) =>
        placeEndpoint(
          { ...p, spec: { ...p.spec, apiEndpoint: { ...p.spec.apiEndpoint, ...change } } },
          NODE_SIZE,
        ),
      `endpoint:${field}`,
    );
  const vrrp = (field: string, change: Partial<ApiEndpoint['vrrp']>) =>
    edit(`vrrp.${field}`, { vrrp: { ...endpoint.vrrp, ...change } });
  const usesKeepalived =
    endpoint.pattern === 'keepalived-haproxy' ||
    endpoint.pattern === 'keepalived-nginx' ||
    (endpoint.pattern === 'dedicated-lb' && endpoint.lbKeepalived);
  const hasVip = endpoint.pattern !== 'node-local';

  return (
    <div className="props" data-testid="endpoint-properties">
      <h2>API endpoint</h2>
      <SelectField<EndpointPattern>
        label="Pattern"
        value={endpoint.pattern}
        options={PATTERNS}
        hint={PATTERN_NOTES[endpoint.pattern]}
        onChange={(pattern) =>
          edit('pattern', {
            pattern,
            port: portFor(pattern, endpoint.port),
            vip: pattern === 'node-local' ? undefined : (endpoint.vip ?? ''),
          })
        }
      />
      {hasVip && (
        <TextField
          label={endpoint.pattern === 'external' ? 'Load balancer address' : 'VIP'}
          value={endpoint.vip}
          placeholder="10.0.0.10"
          onChange={(vip) => edit('vip', { vip: vip.trim() })}
          error={project ? fieldErrorOf(project, 'spec.apiEndpoint.vip') : undefined}
        />
      )}
      <NumberField
        label="Port"
        value={endpoint.port}
        min={1}
        max={65535}
        onChange={(port) => edit('port', { port })}
      />
      <TextField
        label="DNS name"
        value={endpoint.dnsName}
        placeholder="k8s-api.example.internal"
        onChange={(v) => edit('dnsName', { dnsName: v.trim() === '' ? undefined : v.trim() })}
      />
      {endpoint.pattern === 'dedicated-lb' && (
        <>
          <SelectField
            label="LB software"
            value={endpoint.lbSoftware}
            options={['haproxy', 'nginx'] as const}
            onChange={(lbSoftware) => edit('lbSoftware', { lbSoftware })}
          />
          <CheckField
            label="keepalived VIP across the LB hosts"
            checked={endpoint.lbKeepalived}
            onChange={(lbKeepalived) => edit('lbKeepalived', { lbKeepalived })}
          />
        </>
      )}
      {usesKeepalived && (
        <fieldset>
          <legend>VRRP (keepalived)</legend>
          <NumberField
            label="VRRP router id"
            value={endpoint.vrrp.routerId}
            min={1}
            max={255}
            onChange={(routerId) => vrrp('routerId', { routerId })}
          />
          <TextField
            label="VRRP interface"
            value={endpoint.vrrp.interface}
            onChange={(v) => vrrp('interface', { interface: v.trim() })}
          />
          <CheckField
            label="Unicast peers (networks that block VRRP multicast)"
            checked={endpoint.vrrp.unicast}
            onChange={(unicast) => vrrp('unicast', { unicast })}
          />
        </fieldset>
      )}
    </div>
  );
}
