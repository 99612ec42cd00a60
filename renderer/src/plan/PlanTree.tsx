import { type KeyboardEvent, type ReactNode, useMemo, useRef, useState } from 'react';
import type { Plan } from '../../../shared/plan/types';
import { groupByHost, groupPhaseSteps, stepKind } from './planTree';

export type TreeGrouping = 'phase' | 'host';

interface PlanTreeProps {
  plan: Plan;
  grouping: TreeGrouping;
  selectedStepId: string | undefined;
  onSelect(stepId: string): void;
}

/** One row of the tree: a branch (phase, host, kind of step) or a leaf (one step). */
interface Item {
  key: string;
  label: ReactNode;
  title?: string;
  children?: Item[];
  stepId?: string;
}

/** `cp1 · 10.77.0.11 · via jump1`: where a host is and through which bastions Keelson reaches it. */
function HostLabel({ plan, name }: { plan: Plan; name: string }) {
  const host = plan.hosts.find((h) => h.name === name);
  if (!host) return <>{name}</>;
  return (
    <>
      {name}
      <span className="muted" data-testid={`plan-host-route-${name}`}>
        {' '}
        · {host.address} · {host.route.length ? `via ${host.route.join(' → ')}` : 'direct'}
      </span>
    </>
  );
}

function itemsOf(plan: Plan, grouping: TreeGrouping): Item[] {
  if (grouping === 'host')
    return groupByHost(plan).map((host) => ({
      key: `plan-host-${host.host}`,
      label: <HostLabel plan={plan} name={host.host} />,
      children: host.phases.map(({ phase, steps }) => ({
        key: `plan-host-${host.host}-${phase.id}`,
        label: phase.title,
        children: steps.map((step) => ({
          key: `plan-step-${step.id}`,
          label: stepKind(step),
          title: step.description,
          stepId: step.id,
        })),
      })),
    }));
  return plan.phases.map((phase, index) => ({
    key: `plan-phase-${phase.id}`,
    label: (
      <>
        {index + 1}. {phase.title}
        {phase.parallel && <span className="muted"> · parallel</span>}
      </>
    ),
    children: groupPhaseSteps(phase).map((group) => ({
      key: `plan-group-${group.key}`,
      label: group.label,
      children: group.steps.map((step) => ({
        key: `plan-step-${step.id}`,
        label: step.host,
        title: step.description,
        stepId: step.id,
      })),
    })),
  }));
}

interface Row {
  item: Item;
  depth: number;
  parent: string | undefined;
}

/** The rows a reader sees, top to bottom: children of collapsed branches are left out. */
function visibleRows(items: Item[], collapsed: ReadonlySet<string>): Row[] {
  const rows: Row[] = [];
  const walk = (list: Item[], depth: number, parent: string | undefined) => {
    for (const item of list) {
      rows.push({ item, depth, parent });
      if (item.children && !collapsed.has(item.key)) walk(item.children, depth + 1, item.key);
    }
  };
  walk(items, 0, undefined);
  return rows;
}

/**
 * The plan as a WAI-ARIA tree: one Tab stop (the current row), ↑ ↓ move, → opens a branch or
 * enters it, ← closes it or goes to its parent, Home/End jump, Enter or Space shows a step.
 * Everything starts expanded so the whole plan can be read top to bottom.
 */
export function PlanTree({ plan, grouping, selectedStepId, onSelect }: PlanTreeProps) {
  const items = useMemo(() => itemsOf(plan, grouping), [plan, grouping]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [current, setCurrent] = useState<string>();
  const rows = useMemo(() => visibleRows(items, collapsed), [items, collapsed]);
  const tree = useRef<HTMLUListElement>(null);
  const selectedKey = selectedStepId ? `plan-step-${selectedStepId}` : undefined;
  const active = rows.find((r) => r.item.key === current)?.item.key ?? selectedKey ?? rows[0]?.item.key;

  const toggle = (key: string, open?: boolean) =>
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (open ?? next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  const focus = (key: string | undefined) => {
    if (!key) return;
    setCurrent(key);
    tree.current?.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`)?.focus();
  };

  const activate = (item: Item) => {
    setCurrent(item.key);
    if (item.stepId) onSelect(item.stepId);
    else toggle(item.key);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const at = rows.findIndex((r) => r.item.key === active);
    const row = rows[at];
    if (!row) return;
    const { item } = row;
    const open = item.children && !collapsed.has(item.key);
    const keys: Record<string, () => void> = {
      ArrowDown: () => focus(rows[at + 1]?.item.key),
      ArrowUp: () => focus(rows[at - 1]?.item.key),
      Home: () => focus(rows[0]?.item.key),
      End: () => focus(rows[rows.length - 1]?.item.key),
      ArrowRight: () => {
        if (!item.children) return;
        if (open) focus(item.children[0]?.key);
        else toggle(item.key, true);
      },
      ArrowLeft: () => {
        if (open) toggle(item.key, false);
        else focus(row.parent);
      },
      Enter: () => activate(item),
      ' ': () => activate(item),
    };
    const action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  };

  const render = (list: Item[], depth: number): ReactNode =>
    list.map((item) => {
      const branch = item.children !== undefined;
      const open = branch && !collapsed.has(item.key);
      return (
        <li
          key={item.key}
          role="treeitem"
          aria-level={depth + 1}
          aria-expanded={branch ? open : undefined}
          aria-selected={branch ? undefined : item.key === selectedKey}
          tabIndex={item.key === active ? 0 : -1}
          data-key={item.key}
          className={branch ? 'tree-branch' : 'tree-leaf'}
          onFocus={(event) => {
            if (event.target === event.currentTarget) setCurrent(item.key);
          }}
        >
          <div
            className="tree-row"
            style={{ paddingLeft: (branch ? 4 : 18) + depth * 14 }}
            onClick={() => activate(item)}
            data-testid={item.key}
            title={item.title}
          >
            {branch && (
              <span className="tree-caret" aria-hidden="true">
                {open ? '▾' : '▸'}
              </span>
            )}
            {item.label}
          </div>
          {open && <ul role="group">{render(item.children!, depth + 1)}</ul>}
        </li>
      );
    });

  return (
    <ul
      ref={tree}
      role="tree"
      aria-label={grouping === 'host' ? 'Plan by host' : 'Plan by phase'}
      className="plan-tree"
      data-testid="plan-tree"
      onKeyDown={onKeyDown}
    >
      {render(items, 0)}
    </ul>
  );
}
