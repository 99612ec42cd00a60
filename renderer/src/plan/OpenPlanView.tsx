import { useDesign } from '../store/design';
import { PlanView } from './PlanView';

/** The plan of the project as the canvas holds it right now (unsaved edits included). */
export function OpenPlanView() {
  const project = useDesign((s) => s.history?.present);
  return <PlanView project={project} />;
}
