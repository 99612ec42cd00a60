import './store/zod-config';
import { ReactFlowProvider } from '@xyflow/react';
import { useEffect } from 'react';
import { CanvasView } from './canvas/CanvasView';
import { useChecks } from './check/check-store';
import { useDeploy } from './deploy/deploy-store';
import { NodeActionDialog } from './deploy/NodeActionDialog';
import { SecretsPrompt } from './deploy/SecretsPrompt';
import { useShortcuts } from './canvas/useShortcuts';
import { onReconnected, useConnection } from './connection';
import { Frame } from './layout/Frame';
import { Header } from './layout/Header';
import { Notice } from './layout/Notice';
import { Palette } from './panels/Palette';
import { PropertyPanel } from './panels/PropertyPanel';
import { OpenPlanView } from './plan/OpenPlanView';
import { usePlanView } from './plan/planView';
import { useDesign } from './store/design';
import { SaveConflict } from './workspace/SaveConflict';
import { StartScreen } from './workspace/StartScreen';
import { startAutosave, useWorkspace } from './workspace/workspace-store';

const saveNow = () => void useWorkspace.getState().saveNow();

export function App() {
  const connect = useConnection((s) => s.connect);
  const open = useDesign((s) => s.history !== null);
  const currentId = useWorkspace((s) => s.currentId);
  const planVisible = usePlanView((s) => s.visible);
  useEffect(() => void connect(), [connect]);
  useEffect(() => {
    void useWorkspace.getState().start();
    return startAutosave();
  }, []);
  useEffect(() => useDeploy.getState().open(open ? currentId : null), [open, currentId]);
  useEffect(() => useChecks.getState().open(open ? currentId : null), [open, currentId]);
  // Back after a drop: re-read the workspace and the open cluster, and watch its deploy again.
  useEffect(
    () =>
      onReconnected(() => {
        void useWorkspace.getState().resync();
        const deploy = useDeploy.getState();
        const id = deploy.clusterId;
        deploy.open(null);
        deploy.open(id);
      }),
    [],
  );
  useShortcuts(saveNow);
  return (
    <ReactFlowProvider>
      <div className="app-frame">
        <Header />
        <Frame
          fullWidth={open && planVisible}
          palette={<Palette />}
          centre={
            <>
              {/* Keyed by cluster so each opens with its own fitted view. */}
              {!open ? (
                <StartScreen />
              ) : planVisible ? (
                <OpenPlanView />
              ) : (
                <CanvasView key={currentId ?? ''} />
              )}
              <Notice />
              <SaveConflict />
            </>
          }
          properties={<PropertyPanel />}
        />
        <SecretsPrompt />
        <NodeActionDialog />
      </div>
    </ReactFlowProvider>
  );
}
