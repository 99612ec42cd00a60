export function PropertyPanel() {
  return (
    <div>
      <h2>Properties</h2>
      <p className="muted">Select a node to edit it.</p>
    </div>
  );
}
