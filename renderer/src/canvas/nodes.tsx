import { Handle, type NodeProps, Position } from '@xyflow/react';
import { memo } from 'react';
import { useDeploy } from '../deploy/deploy-store';
import { useLive, useLiveNode } from '../deploy/live-store';
import { liveSummary } from '../../../shared/live/nodes';
import { isIPv6 } from '../../../shared/validation/design';
import { useDesign } from '../store/design';
import { kindInfo, primaryRole } from '../store/node-kinds';
import { type EndpointNode, handlesInUse, type HostNode } from './graph';

/** The node's error and warning counts; hovering either lists every finding about the node. */
function Badges({ errors, warnings, messages }: { errors: number; warnings: number; messages: string[] }) {
  const list = messages.join('\n');
  return (
    <span className="node-badges">
      {errors > 0 && (
        <span
          className="badge badge-error"
          title={`${errors} error${errors > 1 ? 's' : ''}:\n${list}`}
          data-testid="badge-errors"
        >
          {errors}
        </span>
      )}
      {warnings > 0 && (
        <span
          className="badge badge-warning"
          title={`${warnings} warning${warnings > 1 ? 's' : ''}:\n${list}`}
          data-testid="badge-warnings"
        >
          {warnings}
        </span>
      )}
    </span>
  );
}

/**
 * What a deploy is doing on this host: waiting / running STEP / done / failed, live from the
 * run's event stream; "deployed" when the cluster was deployed and no run is shown.
 */
function useDeployState(name: string): { className: string; text: string } | undefined {
  const host = useDeploy((s) => s.view?.hosts.find((h) => h.name === name));
  const deployed = useDeploy((s) => !s.view && s.readiness?.deployed?.hosts.some((h) => h.name === name));
  const live = useLiveNode(name);
  const missing = useLive((s) => s.state?.reachable === true && s.state.notInCluster.includes(name));
  const running = useDeploy((s) => s.running);
  // During a run its progress; after it, the API's word when there is one.
  if (host && (running || !live)) {
    const step = host.stepId?.split('/').slice(0, -1).join('/');
    const text =
      host.state === 'running'
        ? `running ${step}`
        : host.state === 'failed' || host.state === 'unreachable'
          ? `${host.state} at ${step}`
          : host.state;
    return { className: ` deploy-${host.state}`, text };
  }
  // Once deployed, the API's word: Ready/NotReady, cordoned, pressure, version, pods.
  if (live)
    return {
      className: live.ready === 'True' && !live.problems.length ? ' live-ready' : ' live-notready',
      text: liveSummary(live),
    };
  if (missing) return { className: ' live-notready', text: 'not in the cluster' };
  return deployed ? { className: ' deploy-done', text: 'deployed' } : undefined;
}

const NO_HANDLES: ReadonlySet<string> = new Set();

/**
 * Handles: top/bottom for the traffic path, left for an SSH route in, and — only where an edge
 * uses them (handlesInUse) — right for routes out, and node-local's reverse pair for its
 * worker → control-plane edges. A bastion always offers its right handle, to draw a route from.
 * Every handle is a store subscription and a measured element: 500 hosts with all six cost
 * 3,000 of each.
 */
function Handles({ name, bastion }: { name: string; bastion: boolean }) {
  const used = useDesign((s) => (s.history && handlesInUse(s.history.present).get(name)) ?? NO_HANDLES);
  return (
    <>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
      <Handle type="target" position={Position.Left} id="ssh" />
      {/* Only a bastion offers the handle that draws an SSH route: from anything else it would do nothing. */}
      {(bastion || used.has('side')) && (
        <Handle
          type="source"
          position={Position.Right}
          id="side"
          isConnectable={bastion}
          className={bastion ? undefined : 'handle-hidden'}
          data-testid={bastion ? 'ssh-handle' : undefined}
        />
      )}
      {used.has('up') && (
        <Handle
          type="source"
          position={Position.Top}
          id="up"
          isConnectable={false}
          className="handle-hidden"
        />
      )}
      {used.has('below') && (
        <Handle
          type="target"
          position={Position.Bottom}
          id="below"
          isConnectable={false}
          className="handle-hidden"
        />
      )}
    </>
  );
}

export const HostNodeView = memo(function HostNodeView({ data, selected }: NodeProps<HostNode>) {
  const { host, errors, warnings, messages } = data;
  const info = kindInfo(primaryRole(host.roles));
  const roles = host.roles.map((r) => kindInfo(r).label).join(', ');
  const deploy = useDeployState(host.name);
  return (
    <div
      className={`topo-node ${info.className}${selected ? ' is-selected' : ''}${errors ? ' has-errors' : ''}${deploy?.className ?? ''}`}
      data-testid={`node-${host.name}`}
      data-deploy={deploy?.text.split(' ')[0]}
      title={roles}
    >
      <Handles name={host.name} bastion={host.roles.includes('bastion')} />
      <span className="node-glyph" aria-hidden>
        {info.glyph}
      </span>
      <span className="node-text">
        <span className="node-name">{host.name}</span>
        <span className={`node-address${host.address ? '' : ' is-missing'}`}>
          {host.address || 'no address'}
        </span>
        {deploy && (
          <span className="node-deploy" data-testid={`node-deploy-${host.name}`}>
            {deploy.text}
          </span>
        )}
      </span>
      <Badges errors={errors} warnings={warnings} messages={messages} />
    </div>
  );
});

export const EndpointNodeView = memo(function EndpointNodeView({ data, selected }: NodeProps<EndpointNode>) {
  const { endpoint, errors, warnings, messages } = data;
  const info = kindInfo('vip');
  return (
    <div
      className={`topo-node ${info.className}${selected ? ' is-selected' : ''}${errors ? ' has-errors' : ''}`}
      data-testid="node-vip"
      title={`API endpoint (${endpoint.pattern})`}
    >
      {/* The API endpoint only fronts control planes or balancers: the traffic path's pair. */}
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
      <span className="node-glyph" aria-hidden>
        {info.glyph}
      </span>
      <span className="node-text">
        <span className="node-name">{endpoint.pattern === 'external' ? 'external LB' : 'API VIP'}</span>
        <span className={`node-address${endpoint.vip ? '' : ' is-missing'}`}>
          {endpoint.vip ? (
            // Two pieces with a break allowed only between them: a narrow node wraps the port
            // onto its own line rather than splitting a number (10.77.0.10:6 / 443).
            <>
              <span className="address-piece">
                {isIPv6(endpoint.vip) ? `[${endpoint.vip}]` : endpoint.vip}
              </span>
              <wbr />
              <span className="address-piece">:{endpoint.port}</span>
            </>
          ) : (
            'no address'
          )}
        </span>
      </span>
      <Badges errors={errors} warnings={warnings} messages={messages} />
    </div>
  );
});

export const NODE_TYPES = { host: HostNodeView, endpoint: EndpointNodeView };
