import { useReactFlow } from '@xyflow/react';
import type { DragEvent } from 'react';
import { NODE_HEIGHT, NODE_WIDTH } from '../canvas/layout';
import { clearFlowRect } from '../canvas/overlays';
import { useAddHosts } from '../canvas/add-hosts-store';
import { useDesign } from '../store/design';
import { freeSpot } from '../store/edits';
import { DRAG_MIME, KINDS, type NodeKind } from '../store/node-kinds';

function onDragStart(event: DragEvent, kind: NodeKind) {
  event.dataTransfer.setData(DRAG_MIME, kind);
  event.dataTransfer.effectAllowed = 'copy';
}

/** Node kinds to drag onto the canvas; a click (or Enter) adds one in view, for keyboard users. */
export function Palette() {
  const open = useDesign((s) => s.history !== null);
  const flow = useReactFlow();

  const addInView = (kind: NodeKind) => {
    const project = useDesign.getState().history?.present;
    if (!project) return;
    const el = document.querySelector<HTMLElement>('[data-testid="canvas"]');
    const within = clearFlowRect(el, flow.screenToFlowPosition);
    const centre = within
      ? { x: within.x + within.width / 2, y: within.y + within.height / 2 }
      : { x: 0, y: 0 };
    const size = { width: NODE_WIDTH, height: NODE_HEIGHT };
    const want = { x: centre.x - NODE_WIDTH / 2, y: centre.y - NODE_HEIGHT / 2 };
    const at = freeSpot(project, want, size, within);
    useDesign.getState().addNode(kind, at);
  };

  return (
    <div className="palette-body">
      <h2>Palette</h2>
      {!open && <p className="muted">Open or create a cluster to add nodes.</p>}
      <ul className="palette-list">
        {KINDS.map((k) => (
          <li key={k.kind}>
            <button
              type="button"
              className={`palette-item ${k.className}`}
              draggable={open}
              disabled={!open}
              onDragStart={(e) => onDragStart(e, k.kind)}
              onClick={() => addInView(k.kind)}
              data-testid={`palette-${k.kind}`}
              title={`Drag onto the canvas, or click to add a ${k.label.toLowerCase()}`}
            >
              <span className="node-glyph" aria-hidden>
                {k.glyph}
              </span>
              {k.label}
            </button>
          </li>
        ))}
      </ul>
      <button
        type="button"
        className="palette-bulk"
        disabled={!open}
        onClick={() => useAddHosts.getState().show()}
        data-testid="palette-add-hosts"
        title="Paste a list of hosts (name address role) or an address range"
      >
        Add hosts…
      </button>
      <p className="muted palette-hint">
        Drag a kind onto the canvas or click it. Shift-drag on the canvas selects a box; Delete removes,
        Ctrl+C / Ctrl+V copies, Ctrl+Z / Ctrl+Shift+Z undoes and redoes.
      </p>
    </div>
  );
}
