import { useEffect } from 'react';
import { CanvasView } from './canvas/CanvasView';
import { useConnection } from './connection';
import { Header } from './layout/Header';
import { BottomPanel } from './panels/BottomPanel';
import { Palette } from './panels/Palette';
import { PropertyPanel } from './panels/PropertyPanel';

export function App() {
  const connect = useConnection((s) => s.connect);
  useEffect(() => void connect(), [connect]);
  return (
    <div className="app-frame">
      <Header />
      <aside className="palette" aria-label="Palette">
        <Palette />
      </aside>
      <main className="canvas" aria-label="Topology canvas">
        <CanvasView />
      </main>
      <aside className="properties" aria-label="Properties">
        <PropertyPanel />
      </aside>
      <section className="bottom" aria-label="Bottom panel">
        <BottomPanel />
      </section>
    </div>
  );
}
