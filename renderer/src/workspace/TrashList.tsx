import { useEffect, useRef, useState } from 'react';
import type { TrashEntry } from '../../../shared/contract/workspace';
import { useWorkspace } from './workspace-store';

/**
 * Ask before deleting for good. Asking hides the button that asked; "keep" gives it focus back,
 * so a keyboard user is never left on a control that went away.
 */
function useAsk() {
  const [asking, setAsking] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);
  useEffect(() => {
    if (!asking && refocus.current) trigger.current?.focus();
    refocus.current = false;
  }, [asking]);
  return {
    asking,
    trigger,
    ask: () => setAsking(true),
    /** Answered: the button is back for the next time (its list may be gone by now). */
    done: () => setAsking(false),
    keep: () => {
      refocus.current = true;
      setAsking(false);
    },
  };
}

/** The question in words, the action, and keep, which has focus: the safe choice is the default. */
function Confirm(props: {
  question: string;
  action: string;
  keep: string;
  testId: string;
  onConfirm: () => Promise<void>;
  onKeep: () => void;
}) {
  const [busy, setBusy] = useState(false);
  return (
    <div className="inline-form" role="group" aria-label={props.question} data-testid={props.testId}>
      <span>{props.question}</span>
      <button
        type="button"
        className="danger"
        disabled={busy}
        onClick={() => {
          setBusy(true); // one click, one request: a second purge of the entry would only be NOT_FOUND
          void props.onConfirm().finally(() => setBusy(false));
        }}
      >
        {props.action}
      </button>
      <button type="button" autoFocus onClick={props.onKeep}>
        {props.keep}
      </button>
    </div>
  );
}

function Row({ entry, onPurge }: { entry: TrashEntry; onPurge: () => Promise<void> }) {
  const { restoreCluster } = useWorkspace.getState();
  const { asking, trigger, ask, keep } = useAsk();
  return (
    <li className="cluster-row" data-testid={`trash-${entry.id}`}>
      <div className="cluster-row-main">
        <span>
          {entry.name}{' '}
          <span className="muted">
            deleted {new Date(entry.deletedAt).toLocaleString()}
            {entry.hasDeployState ? ', with its deploy state' : ''}
          </span>
        </span>
        <span className="spacer" />
        {!asking && (
          <>
            <button
              type="button"
              onClick={() => void restoreCluster(entry.trashId)}
              aria-label={`Restore ${entry.name}`}
            >
              Restore
            </button>
            <button
              ref={trigger}
              type="button"
              onClick={ask}
              aria-label={`Delete forever ${entry.name}`}
              data-purge
            >
              Delete forever
            </button>
          </>
        )}
      </div>
      {asking && (
        <Confirm
          question={`Delete forever ${entry.name}? This cannot be undone.`}
          action="Delete forever"
          keep="Keep it"
          testId="purge-confirm"
          onConfirm={onPurge}
          onKeep={keep}
        />
      )}
    </li>
  );
}

/**
 * Where focus goes once an entry is erased and its row is gone: Delete forever of the row that
 * took its place (or the last row), else the menu or start screen that holds the list — never
 * the page, where a keyboard user would have to start over.
 */
function useFocusAfterErase(trash: TrashEntry[]) {
  const section = useRef<HTMLElement>(null);
  const pending = useRef<{ index: number; home: HTMLElement | null } | null>(null);
  useEffect(() => {
    const after = pending.current;
    if (!after) return;
    pending.current = null;
    const buttons = section.current?.querySelectorAll<HTMLButtonElement>('button[data-purge]') ?? [];
    const next = buttons[Math.min(after.index, buttons.length - 1)];
    (next ?? after.home)?.focus();
  }, [trash]);
  return {
    section,
    /** Runs `erase`, which takes the entry at `index` (Empty trash: 0, all of them) away. */
    erasing: (index: number, erase: () => Promise<void>) => {
      pending.current = { index, home: section.current?.closest<HTMLElement>('[data-trash-home]') ?? null };
      return erase();
    },
  };
}

/**
 * "Recently deleted": clusters in the workspace's .trash/, each with Restore and Delete forever,
 * and Empty trash for all of them. Hidden when empty.
 */
export function TrashList() {
  const trash = useWorkspace((s) => s.trash);
  const { emptyTrash, purgeTrashed } = useWorkspace.getState();
  const { asking, trigger, ask, done, keep } = useAsk();
  const { section, erasing } = useFocusAfterErase(trash);
  if (trash.length === 0) return null;
  const all = trash.length === 1 ? 'the deleted cluster' : `all ${trash.length} deleted clusters`;
  // What the question counts is what goes: an entry deleted after it was asked stays.
  const shown = trash.map((t) => t.trashId);
  return (
    <section data-testid="trash" ref={section}>
      <h2>Recently deleted</h2>
      <ul className="cluster-list">
        {trash.map((t, index) => (
          <Row key={t.trashId} entry={t} onPurge={() => erasing(index, () => purgeTrashed(t.trashId))} />
        ))}
      </ul>
      {asking ? (
        <Confirm
          question={`Delete forever ${all}? This cannot be undone.`}
          action="Empty trash"
          keep="Keep them"
          testId="empty-trash-confirm"
          onConfirm={() => erasing(0, () => emptyTrash(shown)).then(done)}
          onKeep={keep}
        />
      ) : (
        <button ref={trigger} type="button" onClick={ask}>
          Empty trash
        </button>
      )}
    </section>
  );
}
