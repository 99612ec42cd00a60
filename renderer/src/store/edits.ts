import type { ClusterProject, EndpointPattern, Host, HostRole } from '../../../shared/model/cluster';
import type { InventoryHost } from '../../../shared/model/inventory';
import { nextFreeAddress } from '../../../shared/model/next-address';
import { kindInfo, primaryRole } from './node-kinds';

/**
 * Pure edits of a ClusterProject. Each returns a new project and never mutates its input,
 * so the undo history can keep plain references to earlier projects.
 */

export interface XY {
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

/** Canvas id of the API endpoint (VIP) node; the colon keeps it apart from any host name. */
export const ENDPOINT_ID = ':endpoint';

/** The canvas id of the SSH edge that routes `host` through its bastion (selectable, deletable). */
export const sshEdgeId = (host: string): string => `:ssh-route:${host}`;
/** The host whose SSH route an id names, or undefined for a node id. */
export const sshEdgeHost = (id: string): string | undefined =>
  id.startsWith(':ssh-route:') ? id.slice(':ssh-route:'.length) : undefined;

/** Patterns whose endpoint is a virtual or external address, drawn as the VIP node. */
export const VIP_PATTERNS: readonly EndpointPattern[] = [
  'keepalived-haproxy',
  'keepalived-nginx',
  'kube-vip',
  'dedicated-lb',
  'external',
];

export function positionsOf(project: ClusterProject): Record<string, XY> {
  return project.canvas?.positions ?? {};
}

function withPositions(project: ClusterProject, positions: Record<string, XY>): ClusterProject {
  return { ...project, canvas: { ...project.canvas, positions } };
}

function withHosts(project: ClusterProject, hosts: Host[]): ClusterProject {
  return { ...project, spec: { ...project.spec, hosts } };
}

/** Smallest free `prefixN` (cp1, cp2 …) among names already taken. */
export function uniqueName(prefix: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const name = `${prefix}${n}`;
    if (!taken.has(name)) return name;
  }
}

export function newHost(name: string, roles: HostRole[]): Host {
  return {
    name,
    address: '',
    ssh: { port: 22, user: 'root', auth: { type: 'agent' } },
    roles,
    labels: {},
    taints: [],
  };
}

/** A dropped host is offered the next free address of the design's subnet (empty when none is implied). */
export function addHost(
  project: ClusterProject,
  role: HostRole,
  at: XY,
): { project: ClusterProject; name: string } {
  const taken = new Set(project.spec.hosts.map((h) => h.name));
  const name = uniqueName(kindInfo(role).prefix, taken);
  const host = { ...newHost(name, [role]), address: nextFreeAddress(project) ?? '' };
  const next = withHosts(project, [...project.spec.hosts, host]);
  return { project: withPositions(next, { ...positionsOf(project), [name]: at }), name };
}

/** Hosts per row when a pasted inventory is laid out. */
const BATCH_PER_ROW = 10;

/**
 * Adds checked inventory hosts (parseInventory) in a block of rows below everything on the
 * canvas, so however many there are, none covers a node already placed.
 */
export function addHosts(
  project: ClusterProject,
  hosts: readonly InventoryHost[],
  size: { width: number; height: number },
): ClusterProject {
  const positions = { ...positionsOf(project) };
  const placed = Object.values(positions);
  const left = placed.length ? Math.min(...placed.map((p) => p.x)) : 0;
  const top = placed.length ? Math.max(...placed.map((p) => p.y)) + size.height + 60 : 0;
  hosts.forEach((h, i) => {
    positions[h.name] = {
      x: left + (i % BATCH_PER_ROW) * (size.width + 30),
      y: top + Math.floor(i / BATCH_PER_ROW) * (size.height + 40),
    };
  });
  const added = hosts.map((h) => ({ ...newHost(h.name, [...h.roles]), address: h.address }));
  return withPositions(withHosts(project, [...project.spec.hosts, ...added]), positions);
}

export function hasEndpointNode(project: ClusterProject): boolean {
  return (
    project.spec.apiEndpoint.vip !== undefined && VIP_PATTERNS.includes(project.spec.apiEndpoint.pattern)
  );
}

/**
 * Puts the VIP node on the canvas. A pattern without a VIP (node-local) is switched to
 * keepalived-haproxy, the most common VIP pattern; the returned note tells the user so.
 */
export function addEndpoint(project: ClusterProject, at: XY): { project: ClusterProject; note?: string } {
  const endpoint = project.spec.apiEndpoint;
  const switchPattern = !VIP_PATTERNS.includes(endpoint.pattern);
  const next: ClusterProject = {
    ...project,
    spec: {
      ...project.spec,
      apiEndpoint: {
        ...endpoint,
        pattern: switchPattern ? 'keepalived-haproxy' : endpoint.pattern,
        port: switchPattern ? portFor('keepalived-haproxy', endpoint.port) : endpoint.port,
        vip: endpoint.vip ?? '',
      },
    },
  };
  const note = switchPattern
    ? `The "${endpoint.pattern}" pattern has no VIP, so the endpoint pattern was switched to keepalived-haproxy (port ${portFor('keepalived-haproxy', endpoint.port)}). Change it in the VIP's properties.`
    : undefined;
  return { project: withPositions(next, { ...positionsOf(project), [ENDPOINT_ID]: at }), note };
}

/**
 * The endpoint port that fits a newly chosen pattern: a proxy on the control planes cannot
 * take 6443 (the API server has it), so it moves to 8443; node-local proxies must be on 6443.
 */
export function portFor(pattern: EndpointPattern, current: number): number {
  if ((pattern === 'keepalived-haproxy' || pattern === 'keepalived-nginx') && current === 6443) return 8443;
  if (pattern === 'node-local') return 6443;
  return current;
}

/** Removes hosts (and the VIP node when its id is listed); clears ssh.via pointing at removed bastions. */
export function deleteNodes(project: ClusterProject, ids: readonly string[]): ClusterProject {
  const gone = new Set(ids);
  // A selected SSH edge goes with its route: the host is then reached directly.
  const unrouted = new Set(ids.map(sshEdgeHost).filter((h) => h !== undefined));
  const hosts = project.spec.hosts
    .filter((h) => !gone.has(h.name))
    .map((h) =>
      h.ssh.via && (gone.has(h.ssh.via) || unrouted.has(h.name))
        ? { ...h, ssh: { ...h.ssh, via: undefined } }
        : h,
    );
  const positions = Object.fromEntries(Object.entries(positionsOf(project)).filter(([id]) => !gone.has(id)));
  let next = withPositions(withHosts(project, hosts), positions);
  if (gone.has(ENDPOINT_ID)) {
    next = { ...next, spec: { ...next.spec, apiEndpoint: { ...next.spec.apiEndpoint, vip: undefined } } };
  }
  return stripUndefinedVia(next);
}

function stripUndefinedVia(project: ClusterProject): ClusterProject {
  const hosts = project.spec.hosts.map((h) => {
    if (!('via' in h.ssh) || h.ssh.via !== undefined) return h;
    const { via: _via, ...ssh } = h.ssh;
    return { ...h, ssh };
  });
  return withHosts(project, hosts);
}

export function updateHost(
  project: ClusterProject,
  name: string,
  change: (host: Host) => Host,
): ClusterProject {
  return withHosts(
    project,
    project.spec.hosts.map((h) => (h.name === name ? change(h) : h)),
  );
}

/** Why a new host name cannot be used, or undefined when it can. */
export function hostNameProblem(
  project: ClusterProject,
  oldName: string,
  newName: string,
): string | undefined {
  if (newName === oldName) return undefined;
  const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
  if (newName.length > 253 || !newName.split('.').every((part) => label.test(part)))
    return 'Use lowercase letters, digits, - and . (a Kubernetes node name such as cp1 or worker-2).';
  if (project.spec.hosts.some((h) => h.name === newName)) return `A host named "${newName}" already exists.`;
  return undefined;
}

/** Renames a host and everything that refers to it: bastion links and its canvas position. */
export function renameHost(project: ClusterProject, oldName: string, newName: string): ClusterProject {
  const hosts = project.spec.hosts.map((h) => {
    let next = h.name === oldName ? { ...h, name: newName } : h;
    if (next.ssh.via === oldName) next = { ...next, ssh: { ...next.ssh, via: newName } };
    return next;
  });
  const positions = Object.fromEntries(
    Object.entries(positionsOf(project)).map(([id, p]) => [id === oldName ? newName : id, p]),
  );
  return withPositions(withHosts(project, hosts), positions);
}

export interface ClipboardContent {
  hosts: Host[];
  positions: Record<string, XY>;
}

export function copyNodes(project: ClusterProject, ids: readonly string[]): ClipboardContent {
  const wanted = new Set(ids);
  const hosts = project.spec.hosts.filter((h) => wanted.has(h.name));
  const all = positionsOf(project);
  const positions = Object.fromEntries(hosts.filter((h) => all[h.name]).map((h) => [h.name, all[h.name]!]));
  return { hosts: structuredClone(hosts), positions };
}

/** Pasted hosts get fresh names from their role prefix and no address: two hosts never share one. */
export function pasteNodes(
  project: ClusterProject,
  clip: ClipboardContent,
  offset: XY,
): { project: ClusterProject; names: string[] } {
  const taken = new Set(project.spec.hosts.map((h) => h.name));
  const positions = { ...positionsOf(project) };
  const bastions = new Set(project.spec.hosts.filter((h) => h.roles.includes('bastion')).map((h) => h.name));
  const names: string[] = [];
  const added = clip.hosts.map((h) => {
    const name = uniqueName(kindInfo(primaryRole(h.roles)).prefix, taken);
    taken.add(name);
    names.push(name);
    const from = clip.positions[h.name];
    if (from) positions[name] = { x: from.x + offset.x, y: from.y + offset.y };
    const ssh = h.ssh.via && !bastions.has(h.ssh.via) ? { ...h.ssh, via: undefined } : h.ssh;
    return { ...structuredClone(h), name, address: '', ssh };
  });
  return {
    project: stripUndefinedVia(
      withPositions(withHosts(project, [...project.spec.hosts, ...added]), positions),
    ),
    names,
  };
}

export function movePositions(project: ClusterProject, moved: Record<string, XY>): ClusterProject {
  return withPositions(project, { ...positionsOf(project), ...moved });
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The spot nearest `want` where a node of `size` overlaps no other node, inside `within` (the
 * visible canvas) when given: rings of candidates around `want` in half-node steps, the
 * nearest free one of the first ring that has any. A drop or click-to-add never hides a node
 * under another, nor puts it off screen; only when the view has no room is `within` dropped.
 */
export function freeSpot(project: ClusterProject, want: XY, size: Size, within?: Rect): XY {
  const taken = Object.values(positionsOf(project));
  const gapX = size.width + 20;
  const gapY = size.height + 20;
  const free = (p: XY) => taken.every((t) => Math.abs(t.x - p.x) >= gapX || Math.abs(t.y - p.y) >= gapY);
  const inside = (p: XY) =>
    !within ||
    (p.x >= within.x &&
      p.y >= within.y &&
      p.x + size.width <= within.x + within.width &&
      p.y + size.height <= within.y + within.height);
  const clamp = (v: number, lo: number, hi: number) => (hi < lo ? lo : Math.min(Math.max(v, lo), hi));
  const from = within
    ? {
        x: clamp(want.x, within.x, within.x + within.width - size.width),
        y: clamp(want.y, within.y, within.y + within.height - size.height),
      }
    : want;
  const stepX = gapX / 2;
  const stepY = gapY / 2;
  for (let ring = 0; ring < 100; ring++) {
    let best: XY | undefined;
    let bestDistance = Infinity;
    for (let dy = -ring; dy <= ring; dy++)
      for (let dx = -ring; dx <= ring; dx++) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== ring) continue;
        const p = { x: from.x + dx * stepX, y: from.y + dy * stepY };
        const distance = Math.hypot(p.x - want.x, p.y - want.y);
        if (distance < bestDistance && inside(p) && free(p)) {
          best = p;
          bestDistance = distance;
        }
      }
    if (best) return best;
  }
  return within ? freeSpot(project, want, size) : want;
}

/** Where a VIP node that appears through a pattern change goes: centred above the control planes. */
export function placeEndpoint(
  project: ClusterProject,
  size: { width: number; height: number },
): ClusterProject {
  const positions = positionsOf(project);
  if (!hasEndpointNode(project) || positions[ENDPOINT_ID]) return project;
  const cps = project.spec.hosts.filter((h) => h.roles.includes('control-plane') && positions[h.name]);
  const xs = cps.map((h) => positions[h.name]!.x);
  const want = cps.length
    ? {
        x: (Math.min(...xs) + Math.max(...xs)) / 2,
        y: Math.min(...cps.map((h) => positions[h.name]!.y)) - size.height - 70,
      }
    : { x: 0, y: -size.height - 70 };
  return withPositions(project, { ...positions, [ENDPOINT_ID]: freeSpot(project, want, size) });
}
