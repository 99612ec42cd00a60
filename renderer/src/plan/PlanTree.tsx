import { useState, type ReactNode } from 'react';
import type { Plan, PlanStep } from '../../../shared/plan/types';
import { groupByHost, groupPhaseSteps, stepKind } from './planTree';

export type TreeGrouping = 'phase' | 'host';

interface PlanTreeProps {
  plan: Plan;
  grouping: TreeGrouping;
  selectedStepId: string | undefined;
  onSelect(stepId: string): void;
}

/** Collapsible node; everything starts expanded so the whole plan can be read top to bottom. */
function Branch(props: { label: ReactNode; testId: string; depth: number; children: ReactNode }) {
  const [open, setOpen] = useState(true);
  return (
    <li role="treeitem" aria-expanded={open} className="tree-branch">
      <button
        type="button"
        className="tree-toggle"
        style={{ paddingLeft: 4 + props.depth * 14 }}
        onClick={() => setOpen(!open)}
        data-testid={props.testId}
      >
        <span className="tree-caret" aria-hidden="true">
          {open ? '▾' : '▸'}
        </span>
        {props.label}
      </button>
      {open && <ul role="group">{props.children}</ul>}
    </li>
  );
}

function Leaf(props: {
  step: PlanStep;
  label: ReactNode;
  depth: number;
  selected: boolean;
  onSelect(id: string): void;
}) {
  return (
    <li role="treeitem" aria-selected={props.selected} className="tree-leaf">
      <button
        type="button"
        style={{ paddingLeft: 18 + props.depth * 14 }}
        onClick={() => props.onSelect(props.step.id)}
        data-testid={`plan-step-${props.step.id}`}
        title={props.step.description}
      >
        {props.label}
      </button>
    </li>
  );
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

export function PlanTree({ plan, grouping, selectedStepId, onSelect }: PlanTreeProps) {
  if (grouping === 'host') {
    return (
      <ul role="tree" aria-label="Plan by host" className="plan-tree" data-testid="plan-tree">
        {groupByHost(plan).map((host) => (
          <Branch
            key={host.host}
            label={<HostLabel plan={plan} name={host.host} />}
            testId={`plan-host-${host.host}`}
            depth={0}
          >
            {host.phases.map(({ phase, steps }) => (
              <Branch
                key={phase.id}
                label={phase.title}
                testId={`plan-host-${host.host}-${phase.id}`}
                depth={1}
              >
                {steps.map((step) => (
                  <Leaf
                    key={step.id}
                    step={step}
                    label={stepKind(step)}
                    depth={2}
                    selected={step.id === selectedStepId}
                    onSelect={onSelect}
                  />
                ))}
              </Branch>
            ))}
          </Branch>
        ))}
      </ul>
    );
  }
  return (
    <ul role="tree" aria-label="Plan by phase" className="plan-tree" data-testid="plan-tree">
      {plan.phases.map((phase, index) => (
        <Branch
          key={phase.id}
          label={
            <>
              {index + 1}. {phase.title}
              {phase.parallel && <span className="muted"> · parallel</span>}
            </>
          }
          testId={`plan-phase-${phase.id}`}
          depth={0}
        >
          {groupPhaseSteps(phase).map((group) => (
            <Branch key={group.key} label={group.label} testId={`plan-group-${group.key}`} depth={1}>
              {group.steps.map((step) => (
                <Leaf
                  key={step.id}
                  step={step}
                  label={step.host}
                  depth={2}
                  selected={step.id === selectedStepId}
                  onSelect={onSelect}
                />
              ))}
            </Branch>
          ))}
        </Branch>
      ))}
    </ul>
  );
}
