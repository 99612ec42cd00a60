import { useDesign } from '../store/design';
import { usePlanView } from './planView';
import './plan.css';

/** Header button: shows the open cluster's deploy plan in place of the canvas (and back). */
export function PlanButton() {
  const open = useDesign((s) => s.history !== null);
  const { visible, show, hide } = usePlanView();
  return (
    <button
      type="button"
      disabled={!open}
      aria-pressed={visible}
      onClick={visible ? hide : show}
      className="plan-toggle"
      title="What a deploy would run, host by host"
      data-testid="open-plan"
    >
      Plan
    </button>
  );
}
