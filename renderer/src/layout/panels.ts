import { useCallback, useState } from 'react';
import { type PanelImperativeHandle, type PanelSize, usePanelRef } from 'react-resizable-panels';

/** Sizes of the frame's panels, in pixels: what they open at the first time, and their limits. */
export const PANEL_SIZES = {
  palette: { initial: 180, min: 140, max: 360, collapsed: 28 },
  properties: { initial: 280, min: 220, max: 560, collapsed: 28 },
  /** Collapsed, the bottom panel keeps its tab strip: a click on a tab brings it back. */
  bottom: { initial: 220, min: 110, max: 2000, collapsed: 31 },
} as const;

export type FramePanel = keyof typeof PANEL_SIZES;

/** localStorage keys under which the library keeps each group's layout (collapsed panels included). */
export const LAYOUT_IDS = { columns: 'keelson.frame.columns', rows: 'keelson.frame.rows' } as const;

export interface Collapsible {
  ref: React.RefObject<PanelImperativeHandle | null>;
  collapsed: boolean;
  onResize(size: PanelSize): void;
  toggle(): void;
  expand(): void;
}

const openSizeKey = (panel: FramePanel) => `keelson.frame.${panel}.open`;

/**
 * A collapsible panel's handle and state, so a button can fold it and the panel can draw a
 * rail instead. The size it had open is kept too: the library forgets it across a reload,
 * and a panel folded yesterday should unfold to yesterday's size, not to its minimum.
 */
export function useCollapsible(panel: FramePanel): Collapsible {
  const ref = usePanelRef();
  const [collapsed, setCollapsed] = useState(false);
  const limit = PANEL_SIZES[panel].collapsed + 1;
  const onResize = useCallback(
    (size: PanelSize) => {
      const folded = size.inPixels <= limit;
      setCollapsed(folded);
      if (!folded) localStorage.setItem(openSizeKey(panel), String(Math.round(size.inPixels)));
    },
    [limit, panel],
  );
  const expand = useCallback(() => {
    const handle = ref.current;
    if (!handle?.isCollapsed()) return;
    const remembered = Number(localStorage.getItem(openSizeKey(panel)));
    const { min, max } = PANEL_SIZES[panel];
    if (remembered >= min && remembered <= max) handle.resize(`${remembered}px`);
    else handle.expand();
  }, [ref, panel]);
  const toggle = useCallback(() => {
    const handle = ref.current;
    if (!handle) return;
    if (handle.isCollapsed()) expand();
    else handle.collapse();
  }, [ref, expand]);
  return { ref, collapsed, onResize, toggle, expand };
}
