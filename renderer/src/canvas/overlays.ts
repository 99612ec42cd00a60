import { create } from 'zustand';

/**
 * The canvas's overlays (tool buttons at the top, zoom controls and minimap at the bottom) sit
 * in two strips. Fitting measures them and keeps nodes in the band between, so no overlay
 * covers a node or takes its clicks after "Zoom to fit".
 */
type Px = `${number}px`;
export interface ClearPadding {
  top: Px;
  bottom: Px;
  left: Px;
  right: Px;
}

const GAP = 12;

export function clearPadding(container: HTMLElement | null): ClearPadding {
  const px = (n: number): Px => `${Math.max(GAP, Math.ceil(n))}px`;
  if (!container) return { top: px(56), bottom: px(56), left: px(GAP), right: px(GAP) };
  const area = container.getBoundingClientRect();
  let top = 0;
  let bottom = 0;
  for (const el of container.querySelectorAll<HTMLElement>('.canvas-overlay')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    // An overlay in the upper half reserves the strip down to its bottom edge; else up to its top.
    if (r.top + r.height / 2 < area.top + area.height / 2) top = Math.max(top, r.bottom - area.top);
    else bottom = Math.max(bottom, area.bottom - r.top);
  }
  return { top: px(top + GAP), bottom: px(bottom + GAP), left: px(GAP * 2), right: px(GAP * 2) };
}

/**
 * The canvas's clear band in flow coordinates (the part no overlay covers), for placing a new
 * node where the user can see it. `toFlow` is React Flow's screenToFlowPosition.
 */
export function clearFlowRect(
  container: HTMLElement | null,
  toFlow: (p: { x: number; y: number }) => { x: number; y: number },
): { x: number; y: number; width: number; height: number } | undefined {
  if (!container) return undefined;
  const area = container.getBoundingClientRect();
  const pad = clearPadding(container);
  const n = (px: Px) => Number.parseFloat(px);
  const a = toFlow({ x: area.left + n(pad.left), y: area.top + n(pad.top) });
  const b = toFlow({ x: area.right - n(pad.right), y: area.bottom - n(pad.bottom) });
  return { x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y };
}

/** React Flow's margin around a Panel, and the height of the tool buttons and zoom controls. */
const PANEL_MARGIN = 15;
const TOOLBAR_HEIGHT = 30;

/**
 * The same strips as clearPadding, from sizes alone: for the fit at mount, before the overlays
 * are on the page (the e2e test checks the result against the real overlays).
 */
export function expectedPadding(
  canvas: { width: number; height: number } | null,
  minimap: boolean,
): ClearPadding {
  const strip = PANEL_MARGIN + TOOLBAR_HEIGHT + GAP;
  const map = minimap && canvas ? PANEL_MARGIN + minimapSize(canvas).height + GAP : 0;
  return {
    top: `${strip}px`,
    bottom: `${Math.max(strip, map)}px`,
    left: `${GAP * 2}px`,
    right: `${GAP * 2}px`,
  };
}

/** The minimap scales with the canvas: about a seventh of its width, between 110 and 200 px. */
export function minimapSize(canvas: { width: number; height: number }): { width: number; height: number } {
  const width = Math.round(Math.min(200, Math.max(110, canvas.width * 0.14)));
  return { width, height: Math.round(width * 0.62) };
}

/** Below this the minimap starts folded: at 1024×700 it would be a third of the canvas. */
export function roomForMinimap(canvas: { width: number; height: number }): boolean {
  return canvas.width >= 700 && canvas.height >= 450;
}

const KEY = 'keelson.canvas.minimap';
type Choice = 'shown' | 'hidden' | null;

/** The user's own choice wins over the size rule, and is remembered. */
export const useMinimapChoice = create<{ choice: Choice; set(shown: boolean): void }>((set) => ({
  choice: (localStorage.getItem(KEY) as Choice) ?? null,
  set(shown) {
    const choice = shown ? 'shown' : 'hidden';
    localStorage.setItem(KEY, choice);
    set({ choice });
  },
}));
