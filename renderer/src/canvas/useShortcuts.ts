import { useEffect } from 'react';
import { usePlanView } from '../plan/planView';
import { useDesign } from '../store/design';
import { ENDPOINT_ID, hasEndpointNode } from '../store/edits';

/** Typing in a field must keep its own Backspace, Ctrl+Z and Ctrl+C. */
function isEditing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/**
 * Canvas shortcuts: Delete/Backspace, Ctrl/Cmd+C, V, Z, Shift+Z, Y, A, and Escape.
 * `onSave` is Ctrl/Cmd+S (save now instead of waiting for autosave).
 */
export function useShortcuts(onSave: () => void): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (mod && key === 's') {
        event.preventDefault();
        onSave();
        return;
      }
      if (isEditing(event.target)) return;
      // The plan covers the canvas: what it does not show, a key must not change. Ctrl+A
      // there would select the whole page (buttons and all), which nobody wants either.
      if (usePlanView.getState().visible) {
        if (mod && key === 'a') event.preventDefault();
        return;
      }
      const store = useDesign.getState();
      if (!store.history) return;
      if ((key === 'delete' || key === 'backspace') && !mod) {
        event.preventDefault();
        store.deleteSelection();
      } else if (mod && key === 'z' && !event.shiftKey) {
        event.preventDefault();
        store.undo();
      } else if (mod && ((key === 'z' && event.shiftKey) || key === 'y')) {
        event.preventDefault();
        store.redo();
      } else if (mod && key === 'c') {
        store.copySelection();
      } else if (mod && key === 'v') {
        event.preventDefault();
        store.paste();
      } else if (mod && key === 'a') {
        event.preventDefault();
        const project = store.history.present;
        const ids = project.spec.hosts.map((h) => h.name);
        store.select(hasEndpointNode(project) ? [ENDPOINT_ID, ...ids] : ids);
      } else if (key === 'escape') {
        store.select([]);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onSave]);
}
