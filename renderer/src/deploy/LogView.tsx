import { useCallback, useEffect, useRef, useState } from 'react';
import { getClient } from '../transport/client';
import { outputListeners } from './deploy-store';

const ROW = 16;
const PAGE = 256;
/** Pages kept in memory: a 1 M-line log costs at most this × PAGE lines, wherever the user scrolls. */
const MAX_PAGES = 40;

/**
 * One step's log, virtualized: only the rows in view are in the DOM, and lines are fetched from
 * the log file in pages (an LRU of MAX_PAGES), so a million lines cost no more memory than a
 * few thousand. Follows the end while the user has not scrolled up; live lines arrive through
 * outputListeners and land in the last page.
 */
export function LogView({
  clusterId,
  runId,
  stepId,
  total: liveTotal,
}: {
  clusterId: string;
  runId: string;
  stepId: string;
  total: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const pages = useRef(new Map<number, string[]>());
  const loading = useRef(new Set<number>());
  /** When each page was last read: a page still short of lines (the file lags the live events) is read again, not in a loop. */
  const readAt = useRef(new Map<number, number>());
  const [, redraw] = useState(0);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(200);
  const [follow, setFollow] = useState(true);
  // A run rebuilt from its journal has no live count: the log file says how long it is.
  const [fileTotal, setFileTotal] = useState(0);
  const total = Math.max(liveTotal, fileTotal);

  useEffect(() => {
    pages.current = new Map();
    loading.current = new Set();
    readAt.current = new Map();
    setFollow(true);
    setFileTotal(0);
    redraw((n) => n + 1);
  }, [runId, stepId]);

  const touch = (page: number, lines: string[]) => {
    pages.current.delete(page);
    pages.current.set(page, lines);
    while (pages.current.size > MAX_PAGES) pages.current.delete(pages.current.keys().next().value!);
  };

  // Live lines: appended to the pages already in memory (others are read from the file when needed).
  useEffect(() => {
    const listener = (id: string, first: number, lines: string[]) => {
      if (id !== stepId) return;
      lines.forEach((line, i) => {
        const n = first + i;
        const page = Math.floor(n / PAGE);
        const have = pages.current.get(page);
        if (have && have.length === n % PAGE) have.push(line);
        else if (!have && n % PAGE === 0) touch(page, [line]);
      });
    };
    outputListeners.add(listener);
    return () => void outputListeners.delete(listener);
  }, [stepId]);

  const load = useCallback(
    async (page: number) => {
      if (loading.current.has(page) || Date.now() - (readAt.current.get(page) ?? 0) < 500) return;
      loading.current.add(page);
      readAt.current.set(page, Date.now());
      try {
        const r = await getClient().deploy.log({
          id: clusterId,
          runId,
          stepId,
          from: page * PAGE,
          count: PAGE,
        });
        const have = pages.current.get(page);
        touch(page, have && have.length > r.lines.length ? have : r.lines);
        setFileTotal((t) => Math.max(t, r.total));
        redraw((n) => n + 1);
      } catch {
        // the next scroll or tick asks again
      } finally {
        loading.current.delete(page);
      }
    },
    [clusterId, runId, stepId],
  );

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = total * ROW;
  }, [follow, total]);

  const first = Math.max(0, Math.floor(scrollTop / ROW) - 5);
  const last = Math.min(total, Math.ceil((scrollTop + height) / ROW) + 5);
  const rows: { n: number; text: string | undefined }[] = [];
  for (let n = first; n < last; n++) {
    const page = pages.current.get(Math.floor(n / PAGE));
    const text = page?.[n % PAGE];
    rows.push({ n, text });
  }
  useEffect(() => {
    const missing = new Set<number>();
    for (const r of rows) if (r.text === undefined) missing.add(Math.floor(r.n / PAGE));
    if (total === 0) missing.add(0);
    for (const p of missing) void load(p);
    // Lines still missing after a read appear once the file has them: look again shortly.
    if (missing.size) {
      const t = setTimeout(() => redraw((n) => n + 1), 600);
      return () => clearTimeout(t);
    }
  });

  return (
    <div
      className="log-view"
      ref={box}
      data-testid="deploy-log"
      data-lines={total}
      onScroll={(e) => {
        const el = e.currentTarget;
        setScrollTop(el.scrollTop);
        setFollow(el.scrollTop + el.clientHeight >= el.scrollHeight - ROW * 2);
      }}
    >
      <div style={{ height: total * ROW, position: 'relative' }}>
        {rows.map((r) => (
          <div key={r.n} className="log-line" style={{ top: r.n * ROW }} data-line={r.n}>
            <span className="log-no">{r.n + 1}</span>
            <span className={r.text?.startsWith('──') ? 'log-note' : undefined}>{r.text ?? '…'}</span>
          </div>
        ))}
      </div>
    </div>
  );
}
