import { Background, Controls, MiniMap, ReactFlow } from '@xyflow/react';
import { useTheme } from '../theme/theme';

export function CanvasView() {
  const theme = useTheme((s) => s.theme);
  return (
    <ReactFlow nodes={[]} edges={[]} colorMode={theme} fitView proOptions={{ hideAttribution: true }}>
      <Background />
      <MiniMap pannable zoomable />
      <Controls />
    </ReactFlow>
  );
}
