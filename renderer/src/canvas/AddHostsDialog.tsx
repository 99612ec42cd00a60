import { useMemo } from 'react';
import { parseInventory } from '../../../shared/model/inventory';
import { useDesign } from '../store/design';
import { useAddHosts } from './add-hosts-store';
import { NODE_HEIGHT, NODE_WIDTH } from './layout';
import { ModalForm } from '../panels/ModalForm';

const EXAMPLE = 'worker7 10.0.0.27 worker\ncp4 10.0.0.14 control-plane\n10.0.0.21-10.0.0.40';

/**
 * Paste an inventory to add many hosts at once. The preview shows exactly what would be added;
 * while any line is wrong nothing is added unless the user asks for the valid lines only, and
 * then the wrong lines stay in the box to be fixed.
 */
export function AddHostsDialog() {
  const { open, draft, hide, setDraft } = useAddHosts();
  const project = useDesign((s) => s.history?.present);
  const parsed = useMemo(
    () => (project && open ? parseInventory(draft, project) : { hosts: [], problems: [] }),
    [draft, project, open],
  );
  if (!open || !project) return null;
  const { hosts, problems } = parsed;

  const add = (keepProblems: boolean) => {
    const store = useDesign.getState();
    store.addInventory(hosts, { width: NODE_WIDTH, height: NODE_HEIGHT });
    store.focusOn(hosts.map((h) => h.name));
    if (keepProblems) {
      const bad = new Set(problems.map((p) => p.line));
      setDraft(
        draft
          .split(/\r\n|\n|\r/)
          .filter((_line, i) => bad.has(i + 1))
          .join('\n'),
      );
    } else {
      setDraft('');
      hide();
    }
  };

  return (
    <ModalForm
      titleId="add-hosts-title"
      className="add-hosts"
      testId="add-hosts"
      onSubmit={() => problems.length === 0 && hosts.length > 0 && add(false)}
      onEscape={hide}
    >
      <h3 id="add-hosts-title">Add hosts</h3>
      <label>
        Inventory: one host per line, <code>name address [role]</code>, or an address range
        <textarea
          rows={8}
          cols={60}
          value={draft}
          placeholder={EXAMPLE}
          spellCheck={false}
          autoFocus
          onChange={(e) => setDraft(e.target.value)}
          data-testid="add-hosts-text"
          aria-invalid={problems.length > 0}
        />
      </label>
      <p className="muted">
        Roles: control-plane (cp), worker, etcd, lb, bastion; several with commas. A range gets the next free
        names of its role. <code>#</code> starts a comment.
      </p>
      {problems.length > 0 && (
        <ul className="add-hosts-problems" role="alert" data-testid="add-hosts-problems">
          {problems.map((p) => (
            <li key={p.line} data-line={p.line}>
              Line {p.line}
              {p.text && (
                <>
                  {' '}
                  <code>{p.text}</code>
                </>
              )}
              : {p.message}.
            </li>
          ))}
        </ul>
      )}
      {hosts.length > 0 && (
        <div className="add-hosts-preview">
          <table data-testid="add-hosts-preview">
            <caption>
              {hosts.length} host{hosts.length === 1 ? '' : 's'} to add
            </caption>
            <thead>
              <tr>
                <th>Line</th>
                <th>Name</th>
                <th>Address</th>
                <th>Roles</th>
              </tr>
            </thead>
            <tbody>
              {hosts.map((h) => (
                <tr key={h.name}>
                  <td>{h.line}</td>
                  <td>{h.name}</td>
                  <td>{h.address}</td>
                  <td>{h.roles.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="modal-actions">
        <button type="button" onClick={hide}>
          Close
        </button>
        {problems.length > 0 && hosts.length > 0 && (
          <button type="button" onClick={() => add(true)} data-testid="add-hosts-valid-only">
            Add the {hosts.length} valid, keep the {problems.length} wrong line
            {problems.length === 1 ? '' : 's'} here
          </button>
        )}
        <button
          type="submit"
          disabled={problems.length > 0 || hosts.length === 0}
          data-testid="add-hosts-submit"
        >
          Add {hosts.length} host{hosts.length === 1 ? '' : 's'}
        </button>
      </div>
    </ModalForm>
  );
}
