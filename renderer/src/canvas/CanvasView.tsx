import {
  Background,
  type Connection,
  ControlButton,
  type EdgeChange,
  Controls,
  MiniMap,
  type NodeChange,
  Panel,
  ReactFlow,
  useReactFlow,
} from '@xyflow/react';
import {
  type DragEvent,
  type MouseEvent,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { useDesign } from '../store/design';
import { freeSpot, sshEdgeHost, updateHost, type XY } from '../store/edits';
import { badgesOf, useWorkspaceMembers } from '../store/findings';
import { DRAG_MIME, isNodeKind, kindInfo, primaryRole } from '../store/node-kinds';
import { LiveBanner } from '../deploy/LiveBanner';
import { NodeTerminalMenu, openTerminalToHost, type NodeMenuAt } from '../terminal/NodeTerminalMenu';
import { useTheme } from '../theme/theme';
import { type CanvasNode, createNodeDeriver, deriveEdges } from './graph';
import { layoutTiers, NODE_HEIGHT, NODE_WIDTH } from './layout';
import { NODE_TYPES } from './nodes';
import { EDGE_TYPES } from './SshEdge';
import {
  clearFlowRect,
  clearPadding,
  expectedPadding,
  minimapSize,
  roomForMinimap,
  useMinimapChoice,
} from './overlays';
import { AddHostsDialog } from './AddHostsDialog';
import { useAddHosts } from './add-hosts-store';

/** Above this many nodes only those in view are rendered: keeps 500-host clusters fluid. */
const VISIBLE_ONLY_ABOVE = 150;
const MULTI_SELECT_KEYS = ['Shift', 'Control', 'Meta'];
const MAX_FIT_ZOOM = 1.2;
const NODE_SIZE = { width: NODE_WIDTH, height: NODE_HEIGHT };
const PRO_OPTIONS = { hideAttribution: true };

function minimapColor(node: CanvasNode): string {
  const kind = node.type === 'endpoint' ? 'vip' : primaryRole(node.data.host.roles);
  return `var(--${kindInfo(kind).className})`;
}

export function CanvasView() {
  const theme = useTheme((s) => s.theme);
  const project = useDesign((s) => s.history?.present);
  const dragging = useDesign((s) => s.dragging);
  const selection = useDesign((s) => s.selection);
  const measured = useDesign((s) => s.measured);
  const focus = useDesign((s) => s.focus);
  const flow = useReactFlow();
  const container = useRef<HTMLDivElement>(null);
  // Measured before the first paint: the opening fit needs the canvas's size to keep overlays clear.
  const [area, setArea] = useState<{ width: number; height: number } | null>(null);
  useLayoutEffect(() => {
    const el = container.current;
    if (!el) return;
    const measure = () => {
      const next = { width: el.clientWidth, height: el.clientHeight };
      setArea((old) => (old && old.width === next.width && old.height === next.height ? old : next));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const minimapChoice = useMinimapChoice((s) => s.choice);
  const showMinimap = minimapChoice
    ? minimapChoice === 'shown'
    : roomForMinimap(area ?? { width: 0, height: 0 });

  const derive = useMemo(() => createNodeDeriver(), []);
  const members = useWorkspaceMembers();
  const badges = useMemo(() => (project && members ? badgesOf(project) : new Map()), [project, members]);
  const nodes = useMemo(
    () => (project ? derive(project, dragging, selection, badges, measured) : []),
    [project, dragging, selection, badges, measured, derive],
  );
  const edges = useMemo(() => {
    const all = project ? deriveEdges(project) : [];
    return all.some((e) => selection.includes(e.id))
      ? all.map((e) => (selection.includes(e.id) ? { ...e, selected: true } : e))
      : all;
  }, [project, selection]);
  // Selecting an SSH route (click, or Enter on a focused edge) makes it the selection: Delete removes it.
  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    const picked = changes.find((c) => c.type === 'select' && c.selected);
    if (picked && picked.type === 'select' && sshEdgeHost(picked.id))
      useDesign.getState().select([picked.id]);
  }, []);
  /** Fits every node into the part of the canvas no overlay covers. */
  const fitClear = useCallback(
    (duration = 200) =>
      void flow.fitView({ padding: clearPadding(container.current), maxZoom: MAX_FIT_ZOOM, duration }),
    [flow],
  );
  // Fit an opened design once its nodes are measured; an empty canvas keeps its viewport, so
  // drops land where aimed.
  const fitClearRef = useRef(fitClear);
  fitClearRef.current = fitClear;
  const [fitOnOpen] = useState(() => nodes.length > 0);
  // Once the nodes are measured the overlays are on the page: fit again against their real
  // edges (React Flow's own opening fit runs before either exists).
  const refitOnMeasure = useRef(fitOnOpen);
  // The overlays are not on the page yet when React Flow fits at mount: reserve their strips by size.
  const [openingFit] = useState(() => ({
    padding: expectedPadding(area, showMinimap),
    maxZoom: MAX_FIT_ZOOM,
  }));
  const [nodeMenu, setNodeMenu] = useState<NodeMenuAt | null>(null);
  const closeNodeMenu = useCallback(() => setNodeMenu(null), []);

  // An arrow key moves the selected nodes in steps (React Flow reports it as a drop with no
  // drag before it): pan just enough that the focused node stays in view.
  const keepInView = useCallback(
    (ids: string[]) => {
      const el = container.current;
      const active = document.activeElement?.closest<HTMLElement>('.react-flow__node')?.dataset.id;
      const id = ids.find((i) => i === active) ?? ids[0];
      const node = id ? flow.getInternalNode(id) : undefined;
      if (!el || !node) return;
      const { x, y, zoom } = flow.getViewport();
      const margin = 24;
      const left = node.internals.positionAbsolute.x * zoom + x;
      const top = node.internals.positionAbsolute.y * zoom + y;
      const right = left + (node.measured.width ?? NODE_WIDTH) * zoom;
      const bottom = top + (node.measured.height ?? NODE_HEIGHT) * zoom;
      const dx = Math.min(0, el.clientWidth - margin - right) || Math.max(0, margin - left);
      const dy = Math.min(0, el.clientHeight - margin - bottom) || Math.max(0, margin - top);
      if (dx !== 0 || dy !== 0) void flow.setViewport({ x: x + dx, y: y + dy, zoom });
    },
    [flow],
  );
  const keepInViewRef = useRef(keepInView);
  keepInViewRef.current = keepInView;

  const onNodesChange = useCallback((changes: NodeChange<CanvasNode>[]) => {
    const store = useDesign.getState();
    const moving: Record<string, XY> = {};
    const dropped: Record<string, XY> = {};
    let dragEnded = false;
    const sizes: Record<string, { width: number; height: number }> = {};
    let selected: Set<string> | null = null;
    for (const change of changes) {
      if (change.type === 'position') {
        if (change.dragging && change.position) moving[change.id] = change.position;
        else {
          dragEnded = true;
          if (change.position) dropped[change.id] = change.position;
        }
      } else if (change.type === 'dimensions' && change.dimensions) {
        const old = store.measured[change.id];
        if (!old || old.width !== change.dimensions.width || old.height !== change.dimensions.height)
          sizes[change.id] = change.dimensions;
      } else if (change.type === 'select') {
        selected ??= new Set(store.selection);
        if (change.selected) selected.add(change.id);
        else selected.delete(change.id);
      }
    }
    if (Object.keys(sizes).length > 0) {
      store.setMeasured(sizes);
      if (refitOnMeasure.current) {
        refitOnMeasure.current = false;
        requestAnimationFrame(() => fitClearRef.current(0));
      }
    }
    if (Object.keys(moving).length > 0) store.dragMove(moving);
    if (dragEnded) {
      const byKey = store.dragging === null && Object.keys(moving).length === 0;
      store.dragEnd(dropped);
      if (byKey) requestAnimationFrame(() => keepInViewRef.current(Object.keys(dropped)));
    }
    if (selected) store.select([...selected]);
  }, []);

  const onConnect = useCallback((c: Connection) => {
    // Drawing from a bastion's right handle to a host's left handle routes the host's SSH through it.
    const store = useDesign.getState();
    const project = store.history?.present;
    const bastion = project?.spec.hosts.find((h) => h.name === c.source);
    if (!bastion?.roles.includes('bastion') || c.source === c.target) return;
    store.apply((p) => updateHost(p, c.target, (h) => ({ ...h, ssh: { ...h.ssh, via: c.source } })));
  }, []);

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(DRAG_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const kind = event.dataTransfer.getData(DRAG_MIME);
      if (!isNodeKind(kind)) return;
      event.preventDefault();
      const project = useDesign.getState().history?.present;
      if (!project) return;
      const point = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      // Centred on the pointer, or on the free spot nearest it in the clear part of the view.
      const want = { x: point.x - NODE_WIDTH / 2, y: point.y - NODE_HEIGHT / 2 };
      const within = clearFlowRect(container.current, flow.screenToFlowPosition);
      useDesign.getState().addNode(kind, freeSpot(project, want, NODE_SIZE, within));
    },
    [flow],
  );

  useEffect(() => {
    if (!focus) return;
    const node = flow.getNode(focus.id);
    if (!node) return;
    const w = node.measured?.width ?? NODE_WIDTH;
    const h = node.measured?.height ?? NODE_HEIGHT;
    void flow.setCenter(node.position.x + w / 2, node.position.y + h / 2, {
      zoom: Math.max(flow.getZoom(), 1),
      duration: 250,
    });
  }, [focus, flow]);

  // Stable handlers: this component renders on every frame of a drag, and a new function
  // prop makes React Flow re-render all 500 node wrappers (and re-run their drag effects).
  const onPaneClick = useCallback(() => useDesign.getState().select([]), []);
  const onNodeDoubleClick = useCallback(
    (_event: unknown, node: CanvasNode) => node.type === 'host' && openTerminalToHost(node.id),
    [],
  );
  const onNodeContextMenu = useCallback((event: MouseEvent, node: CanvasNode) => {
    if (node.type !== 'host') return;
    event.preventDefault();
    const opener = (event.target as Element).closest<HTMLElement>('.react-flow__node');
    // The context-menu key (or Shift+F10) on a focused node has no pointer position.
    const box = opener?.getBoundingClientRect();
    const fromKey = event.clientX === 0 && event.clientY === 0 && box;
    setNodeMenu({
      x: fromKey ? box.left + box.width / 2 : event.clientX,
      y: fromKey ? box.bottom : event.clientY,
      host: node.id,
      opener,
    });
  }, []);
  const minimapStyle = useMemo(() => minimapSize(area ?? { width: 0, height: 0 }), [area]);

  const autoLayout = useCallback(() => {
    useDesign.getState().apply((p) => ({ ...p, canvas: { ...p.canvas, positions: layoutTiers(p) } }));
    requestAnimationFrame(() => fitClear());
  }, [fitClear]);

  return (
    <div className="canvas-drop" ref={container} onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
      {area && (
        <ReactFlow<CanvasNode>
          nodes={nodes}
          edges={edges}
          nodeTypes={NODE_TYPES}
          edgeTypes={EDGE_TYPES}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={onConnect}
          onPaneClick={onPaneClick}
          onNodeDoubleClick={onNodeDoubleClick}
          onNodeContextMenu={onNodeContextMenu}
          colorMode={theme}
          minZoom={0.05}
          deleteKeyCode={null}
          multiSelectionKeyCode={MULTI_SELECT_KEYS}
          fitView={fitOnOpen}
          fitViewOptions={openingFit}
          onlyRenderVisibleElements={nodes.length > VISIBLE_ONLY_ABOVE}
          proOptions={PRO_OPTIONS}
        >
          <Background />
          {showMinimap && (
            <MiniMap
              pannable
              zoomable
              nodeColor={minimapColor}
              className="canvas-overlay"
              style={minimapStyle}
              ariaLabel="Minimap"
            />
          )}
          <Controls orientation="horizontal" showFitView={false} className="canvas-overlay">
            <ControlButton
              onClick={() => useMinimapChoice.getState().set(!showMinimap)}
              title={showMinimap ? 'Hide the minimap' : 'Show the minimap'}
              aria-pressed={showMinimap}
              data-testid="toggle-minimap"
            >
              <span aria-hidden>▦</span>
            </ControlButton>
          </Controls>
          <Panel position="top-left" className="canvas-overlay">
            <LiveBanner />
          </Panel>
          <Panel position="top-right" className="canvas-tools canvas-overlay">
            <button type="button" onClick={() => useAddHosts.getState().show()} data-testid="add-hosts-open">
              Add hosts…
            </button>
            <button type="button" onClick={autoLayout} data-testid="auto-layout">
              Auto-layout
            </button>
            <button type="button" onClick={() => fitClear()} data-testid="zoom-to-fit">
              Zoom to fit
            </button>
          </Panel>
        </ReactFlow>
      )}
      {nodeMenu && <NodeTerminalMenu at={nodeMenu} onClose={closeNodeMenu} />}
      <AddHostsDialog />
    </div>
  );
}
