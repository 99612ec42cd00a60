import type { ReactNode } from 'react';
import { Group, Panel, Separator, useDefaultLayout } from 'react-resizable-panels';
import { BottomPanel } from '../panels/BottomPanel';
import { LAYOUT_IDS, PANEL_SIZES, type Collapsible, type FramePanel, useCollapsible } from './panels';

const px = (n: number) => `${n}px`;

function constraints(panel: FramePanel) {
  const s = PANEL_SIZES[panel];
  return {
    id: panel,
    collapsible: true,
    defaultSize: px(s.initial),
    minSize: px(s.min),
    maxSize: px(s.max),
    collapsedSize: px(s.collapsed),
    // Widening the window grows the canvas, not the side panels.
    groupResizeBehavior: 'preserve-pixel-size' as const,
  };
}

// Names come from text and titles, not aria-label: `getByLabel('Properties')` must keep finding
// only the panel itself.

/** A side panel folded to a rail: one button that brings it back. */
function Rail({ label, side, fold }: { label: string; side: 'left' | 'right'; fold: Collapsible }) {
  return (
    <div className="panel-rail">
      <button
        type="button"
        onClick={fold.expand}
        title={`Show ${label.toLowerCase()}`}
        data-testid={`expand-${label.toLowerCase()}`}
      >
        <span aria-hidden>{side === 'left' ? '›' : '‹'}</span>
        <span className="visually-hidden">Show {label.toLowerCase()}</span>
      </button>
      <span className="panel-rail-label" aria-hidden>
        {label}
      </span>
    </div>
  );
}

/** The fold button in a side panel's corner. */
export function FoldButton({
  label,
  side,
  fold,
}: {
  label: string;
  side: 'left' | 'right';
  fold: Collapsible;
}) {
  return (
    <button
      type="button"
      className="fold-button"
      onClick={fold.toggle}
      title={`Hide ${label.toLowerCase()}`}
      data-testid={`collapse-${label.toLowerCase()}`}
    >
      <span aria-hidden>{side === 'left' ? '‹' : '›'}</span>
      <span className="visually-hidden">Hide {label.toLowerCase()}</span>
    </button>
  );
}

function SidePanel(props: {
  panel: 'palette' | 'properties';
  label: string;
  side: 'left' | 'right';
  children: ReactNode;
}) {
  const fold = useCollapsible(props.panel);
  return (
    <Panel {...constraints(props.panel)} panelRef={fold.ref} onResize={fold.onResize} className="side-panel">
      {fold.collapsed ? (
        <Rail label={props.label} side={props.side} fold={fold} />
      ) : (
        <aside className={props.panel} aria-label={props.label}>
          <FoldButton label={props.label} side={props.side} fold={fold} />
          {props.children}
        </aside>
      )}
    </Panel>
  );
}

interface FrameProps {
  /** The plan is a full-width view: the palette and Properties are not there to act on the canvas. */
  fullWidth: boolean;
  palette: ReactNode;
  centre: ReactNode;
  properties: ReactNode;
}

/**
 * Palette | centre | Properties over the bottom panel, every divider draggable (and keyboard
 * resizable: the separators are WAI-ARIA window splitters), every panel foldable. The library
 * keeps each group's layout, folds included, in localStorage, so the frame opens as it was left.
 */
export function Frame({ fullWidth, palette, centre, properties }: FrameProps) {
  const rows = useDefaultLayout({ id: LAYOUT_IDS.rows, storage: localStorage });
  const columns = useDefaultLayout({ id: LAYOUT_IDS.columns, storage: localStorage });
  const bottom = useCollapsible('bottom');
  const main = (
    <main className="canvas" aria-label={fullWidth ? 'Plan' : 'Topology canvas'}>
      {centre}
    </main>
  );
  return (
    <Group orientation="vertical" className="frame-rows" {...rows}>
      <Panel id="centre-row" minSize="120px">
        {fullWidth ? (
          main
        ) : (
          <Group orientation="horizontal" className="frame-columns" {...columns}>
            <SidePanel panel="palette" label="Palette" side="left">
              {palette}
            </SidePanel>
            <Separator className="splitter" title="Resize palette" />
            <Panel id="centre" minSize="240px">
              {main}
            </Panel>
            <Separator className="splitter" title="Resize properties" />
            <SidePanel panel="properties" label="Properties" side="right">
              {properties}
            </SidePanel>
          </Group>
        )}
      </Panel>
      <Separator className="splitter" title="Resize bottom panel" />
      <Panel {...constraints('bottom')} panelRef={bottom.ref} onResize={bottom.onResize} className="bottom">
        <section className="bottom-section" aria-label="Bottom panel">
          <BottomPanel fold={bottom} />
        </section>
      </Panel>
    </Group>
  );
}
