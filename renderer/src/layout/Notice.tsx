import { useDesign } from '../store/design';

/** A one-off message over the canvas, e.g. why dropping a VIP changed the endpoint pattern. */
export function Notice() {
  const notice = useDesign((s) => s.notice);
  if (!notice) return null;
  return (
    <div className="notice" role="status" data-testid="notice">
      <span>{notice}</span>
      <button type="button" onClick={() => useDesign.getState().dismissNotice()} aria-label="Dismiss">
        ✕
      </button>
    </div>
  );
}
