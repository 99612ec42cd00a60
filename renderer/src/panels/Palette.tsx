export function Palette() {
  return (
    <div>
      <h2>Palette</h2>
      <p className="muted">Node kinds appear here.</p>
    </div>
  );
}
