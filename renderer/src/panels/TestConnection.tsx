import { isDefinedError, safe } from '@orpc/client';
import { useEffect, useRef, useState, type CSSProperties, type FormEvent } from 'react';
import {
  connectionOf,
  type ConnectionFacts,
  type HostKey,
  type RecordedKey,
} from '../../../shared/contract/ssh';
import type { Host } from '../../../shared/model/cluster';
import { getClient } from '../transport/client';

/**
 * "Test connection" for one host (through its bastion chain): logs in, shows OS, kernel,
 * CPUs, memory and how sudo behaves, or asks the user to check and accept an unknown host
 * key. A missing password/passphrase is asked for here and sent to main's write-only secret
 * store at once; this component never keeps a secret value after sending it.
 */
export interface TestConnectionProps {
  host: Host;
  /** Jump hosts, outermost first (the host's bastion, and that bastion's own bastion…). */
  via?: Host[];
}

type State =
  | { kind: 'idle' }
  | { kind: 'testing' }
  | { kind: 'ok'; facts: ConnectionFacts }
  | { kind: 'host-key'; target: string; hostKey: HostKey; token: string; otherKeys: RecordedKey[] }
  | { kind: 'host-key-changed'; message: string; hostKey: HostKey; known: string[] }
  | { kind: 'secret'; name: string }
  | { kind: 'error'; message: string };

const box: CSSProperties = {
  border: '1px solid var(--border)',
  borderRadius: 6,
  padding: 8,
  marginTop: 8,
  background: 'var(--panel)',
};
const mono: CSSProperties = { fontFamily: 'ui-monospace, monospace', wordBreak: 'break-all' };
// Term and value side by side: the panel is narrow, and the browser's default <dd> indent
// pushed every value onto its own line.
const factsGrid: CSSProperties = {
  ...box,
  display: 'grid',
  gridTemplateColumns: 'max-content minmax(0, 1fr)',
  columnGap: 12,
  rowGap: 4,
  margin: '8px 0 0',
};
const factValue: CSSProperties = { margin: 0 };

export function TestConnection({ host, via = [] }: TestConnectionProps) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const section = useRef<HTMLElement>(null);
  // The result (facts, a host key to accept, a password to give, an error) appears below the
  // button, often below the panel's fold: bring it into view when it arrives.
  useEffect(() => {
    if (state.kind !== 'idle' && state.kind !== 'testing')
      section.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [state.kind]);

  async function test() {
    setState({ kind: 'testing' });
    const [error, facts] = await safe(
      getClient().ssh.testConnection({ host: connectionOf(host), via: via.map(connectionOf) }),
    );
    if (!error) return setState({ kind: 'ok', facts });
    if (isDefinedError(error)) {
      switch (error.code) {
        case 'HOST_KEY_UNKNOWN':
          return setState({
            kind: 'host-key',
            target: error.data.target,
            hostKey: error.data.hostKey,
            token: error.data.acceptToken,
            otherKeys: error.data.otherKeys,
          });
        case 'HOST_KEY_CHANGED':
          return setState({
            kind: 'host-key-changed',
            message: error.message,
            hostKey: error.data.hostKey,
            known: error.data.knownFingerprints,
          });
        case 'SECRET_MISSING':
          return setState({ kind: 'secret', name: error.data.name });
        default:
          return setState({ kind: 'error', message: error.message });
      }
    }
    setState({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
  }

  /** Accepts the key the host presented, by its token: the page never sends a key of its own. */
  async function accept(token: string) {
    setState({ kind: 'testing' });
    const [error] = await safe(getClient().ssh.acceptHostKey({ token }));
    if (error) return setState({ kind: 'error', message: error.message });
    // A chain may have more unknown keys (bastion first, then the host): test again.
    await test();
  }

  async function sendSecret(event: FormEvent<HTMLFormElement>, name: string) {
    event.preventDefault();
    const input = event.currentTarget.elements.namedItem('secret') as HTMLInputElement | null;
    const value = input?.value ?? '';
    if (input) input.value = ''; // the field is uncontrolled: React state never holds the value
    if (!value) return;
    const [error] = await safe(getClient().ssh.secrets.set({ name, value }));
    if (error) return setState({ kind: 'error', message: error.message });
    await test();
  }

  return (
    <section aria-label="Test connection" data-testid="test-connection" ref={section}>
      <button type="button" onClick={() => void test()} disabled={state.kind === 'testing'}>
        {state.kind === 'testing' ? 'Testing…' : 'Test connection'}
      </button>
      {via.length > 0 && (
        <span className="muted" style={{ marginLeft: 8 }}>
          via {via.map((h) => h.name).join(' → ')}
        </span>
      )}

      {state.kind === 'ok' && (
        <dl style={factsGrid} data-testid="connection-facts">
          <dt>OS</dt>
          <dd style={factValue}>{state.facts.os}</dd>
          <dt>Kernel</dt>
          <dd style={factValue}>{state.facts.kernel}</dd>
          <dt>CPUs</dt>
          <dd style={factValue}>{state.facts.cpus}</dd>
          <dt>Memory</dt>
          <dd style={factValue}>{(state.facts.memoryMb / 1024).toFixed(1)} GiB</dd>
          <dt>sudo</dt>
          <dd style={factValue} title={state.facts.sudoDetail}>
            {state.facts.sudo === 'passwordless'
              ? 'passwordless'
              : state.facts.sudo === 'with-password'
                ? 'with password'
                : 'no'}
            {state.facts.sudo === 'no' && <span className="muted"> — {state.facts.sudoDetail}</span>}
          </dd>
          <dt>Host key</dt>
          <dd style={{ ...factValue, ...mono }}>
            {state.facts.hostKey.keyType} {state.facts.hostKey.fingerprint}
          </dd>
        </dl>
      )}

      {state.kind === 'host-key' && (
        <HostKeyPrompt
          target={state.target}
          hostKey={state.hostKey}
          otherKeys={state.otherKeys}
          onAccept={() => void accept(state.token)}
          onReject={() => setState({ kind: 'error', message: 'Host key rejected: not connected.' })}
        />
      )}

      {state.kind === 'host-key-changed' && (
        <div style={{ ...box, borderColor: 'var(--error)' }} role="alert">
          <p style={{ color: 'var(--error)' }}>
            <strong>Host key changed — connection refused.</strong>
          </p>
          <p>
            Now presented: <span style={mono}>{state.hostKey.fingerprint}</span>
            <br />
            On record: <span style={mono}>{state.known.join(', ')}</span>
          </p>
          <p className="muted">{state.message}</p>
        </div>
      )}

      {state.kind === 'secret' && (
        <form style={box} onSubmit={(e) => void sendSecret(e, state.name)}>
          <label>
            Secret <code>{state.name}</code> is not set:{' '}
            <input name="secret" type="password" autoComplete="off" aria-label={`Value of ${state.name}`} />
          </label>{' '}
          <button type="submit">Save and test</button>
        </form>
      )}

      {state.kind === 'error' && (
        <p style={{ ...box, color: 'var(--error)' }} role="alert">
          {state.message}
        </p>
      )}
    </section>
  );
}

interface HostKeyPromptProps {
  target: string;
  hostKey: HostKey;
  otherKeys: RecordedKey[];
  onAccept(): void;
  onReject(): void;
}

/**
 * An unknown key: a first contact, or — when keys of other types are on record — a host that no
 * longer offers the key we know, which is what an impostor without that key looks like. Then
 * the prompt says so, as OpenSSH does, and Accept waits for an explicit "I know".
 */
function HostKeyPrompt({ target, hostKey, otherKeys, onAccept, onReject }: HostKeyPromptProps) {
  const [sure, setSure] = useState(false);
  const warn = otherKeys.length > 0;
  return (
    <div
      style={warn ? { ...box, borderColor: 'var(--error)' } : box}
      role="alertdialog"
      aria-label={warn ? 'Host key of another type' : 'Unknown host key'}
    >
      {warn ? (
        <>
          <p style={{ color: 'var(--error)' }} data-testid="host-key-other-type">
            <strong>
              {target} now presents a {hostKey.keyType} key, but keys of a different type are already known
              for this host.
            </strong>
          </p>
          <p>
            On record:{' '}
            {otherKeys.map((k) => (
              <span key={`${k.file}:${k.fingerprint}`} style={{ ...mono, display: 'block' }}>
                {k.keyType} {k.fingerprint} <span className="muted">in {k.file}</span>
              </span>
            ))}
          </p>
          <p>
            A host that stopped offering the key you know may not be that host. Accept only if you know its
            keys were changed; otherwise ask whoever runs it.
          </p>
        </>
      ) : (
        <p>
          First connection to <strong>{target}</strong>. Check that this is the host&apos;s key (on the host:{' '}
          {/* A long path must wrap inside the narrow panel, not run past its edge. */}
          <code style={{ overflowWrap: 'anywhere' }}>
            ssh-keygen -lf /etc/ssh/ssh_host_{hostKey.keyType.replace(/^ssh-|-.*$/g, '')}_key.pub
          </code>
          ):
        </p>
      )}
      <p style={mono} data-testid="host-key-fingerprint">
        {hostKey.keyType} {hostKey.fingerprint}
      </p>
      {warn && (
        <label style={{ display: 'block', marginBottom: 6 }}>
          <input type="checkbox" checked={sure} onChange={(e) => setSure(e.currentTarget.checked)} /> I know
          this host&apos;s keys changed
        </label>
      )}
      <button type="button" onClick={onAccept} disabled={warn && !sure}>
        Accept
      </button>{' '}
      <button type="button" onClick={onReject}>
        Reject
      </button>
    </div>
  );
}
