import type { Host, HostRole, SshAuth } from '../../../shared/model/cluster';
import { useDesign } from '../store/design';
import { addressErrorOf } from '../store/findings';
import { hostNameProblem, renameHost, updateHost } from '../store/edits';
import { labelsToText, parseLabels, parseTaints, taintsToText } from '../store/labels-text';
import { jumpChain } from '../store/jump-chain';
import { KINDS } from '../store/node-kinds';
import { CheckField, CommitField, NumberField, SelectField, TextField } from './fields';
import { TestConnection } from './TestConnection';
import { NodeActions } from '../deploy/NodeActions';

const ROLES = KINDS.filter((k) => k.kind !== 'vip') as { kind: HostRole; label: string }[];
type AuthType = SshAuth['type'];
type OsChoice = 'unset' | 'debian' | 'rhel';

export const OS_CHOICES: { value: OsChoice; label: string }[] = [
  { value: 'unset', label: 'Not set (Debian / Ubuntu assumed)' },
  { value: 'debian', label: 'Debian / Ubuntu' },
  { value: 'rhel', label: 'RHEL / Rocky / Alma' },
];

function authOf(type: AuthType, old: SshAuth): SshAuth {
  if (type === old.type) return old;
  if (type === 'key') return { type: 'key', keyFile: '~/.ssh/id_ed25519' };
  if (type === 'password') return { type: 'password', passwordRef: 'ssh-password' };
  return { type: 'agent' };
}

/** Optional text: an emptied field removes the setting instead of storing "". */
const orUndefined = (v: string) => (v.trim() === '' ? undefined : v.trim());

export function HostProperties({ host }: { host: Host }) {
  const apply = useDesign((s) => s.apply);
  const project = useDesign((s) => s.history?.present);
  const hosts = project?.spec.hosts ?? [];
  const edit = (field: string, change: (h: Host) => Host) =>
    apply((p) => updateHost(p, host.name, change), `${host.name}:${field}`);
  const ssh = (field: string, change: Partial<Host['ssh']>) =>
    edit(`ssh.${field}`, (h) => ({ ...h, ssh: { ...h.ssh, ...change } }));
  const bastions = hosts.filter((h) => h.roles.includes('bastion') && h.name !== host.name);
  const auth = host.ssh.auth;

  return (
    <div className="props" data-testid="host-properties">
      <h2>Host</h2>
      <CommitField
        label="Name"
        value={host.name}
        parse={(text) => {
          const name = text.trim();
          const problem =
            useDesign.getState().history &&
            hostNameProblem(useDesign.getState().history!.present, host.name, name);
          return problem ? { ok: false, error: problem } : { ok: true, value: name };
        }}
        onCommit={(name) => {
          if (name === host.name) return;
          apply((p) => renameHost(p, host.name, name));
          useDesign.getState().select([name]);
        }}
      />
      <TextField
        label="Address"
        value={host.address}
        placeholder="10.0.0.11"
        onChange={(v) => edit('address', (h) => ({ ...h, address: v.trim() }))}
        error={project ? addressErrorOf(project, host.name) : undefined}
      />
      <fieldset>
        <legend>Roles</legend>
        {ROLES.map((r) => {
          const has = host.roles.includes(r.kind);
          return (
            <CheckField
              key={r.kind}
              label={r.label}
              checked={has}
              // A host needs at least one role: the last one cannot be unticked.
              disabled={has && host.roles.length === 1}
              onChange={(on) =>
                edit('roles', (h) => ({
                  ...h,
                  roles: on ? [...h.roles, r.kind] : h.roles.filter((x) => x !== r.kind),
                }))
              }
            />
          );
        })}
      </fieldset>
      <SelectField<OsChoice>
        label="OS family"
        value={host.os ?? 'unset'}
        options={OS_CHOICES}
        hint="Decides apt or dnf, repositories and SELinux/firewalld steps. Test connection fills it in; preflight checks it on the host."
        onChange={(os) =>
          edit('os', (h) => {
            const { os: _old, ...rest } = h;
            return os === 'unset' ? rest : { ...rest, os };
          })
        }
      />
      <fieldset>
        <legend>SSH</legend>
        <NumberField
          label="SSH port"
          value={host.ssh.port}
          min={1}
          max={65535}
          onChange={(port) => ssh('port', { port })}
        />
        <TextField
          label="SSH user"
          value={host.ssh.user}
          onChange={(user) => ssh('user', { user: user.trim() })}
        />
        <SelectField<AuthType>
          label="Authentication"
          value={auth.type}
          options={[
            { value: 'agent', label: 'SSH agent' },
            { value: 'key', label: 'Key file' },
            { value: 'password', label: 'Password (secret)' },
          ]}
          onChange={(type) => ssh('auth', { auth: authOf(type, auth) })}
        />
        {auth.type === 'key' && (
          <>
            <TextField
              label="Key file"
              value={auth.keyFile}
              onChange={(keyFile) => ssh('auth.keyFile', { auth: { ...auth, keyFile } })}
            />
            <TextField
              label="Passphrase secret name"
              value={auth.passphraseRef}
              hint="The name the passphrase is stored under, never the passphrase."
              onChange={(v) =>
                ssh('auth.passphraseRef', { auth: { ...auth, passphraseRef: orUndefined(v) } })
              }
            />
          </>
        )}
        {auth.type === 'password' && (
          <TextField
            label="Password secret name"
            value={auth.passwordRef}
            hint="The name the password is stored under, never the password."
            onChange={(passwordRef) => ssh('auth.passwordRef', { auth: { ...auth, passwordRef } })}
          />
        )}
        <SelectField
          label="Bastion (jump host)"
          value={host.ssh.via ?? ''}
          options={[
            { value: '', label: 'None: connect directly' },
            ...bastions.map((b) => ({ value: b.name, label: b.name })),
          ]}
          hint={bastions.length === 0 ? 'Add a bastion host to route SSH through it.' : undefined}
          onChange={(via) =>
            edit('ssh.via', (h) => {
              const { via: _old, ...rest } = h.ssh;
              return { ...h, ssh: via ? { ...rest, via } : rest };
            })
          }
        />
        <TextField
          label="Sudo password secret name"
          value={host.ssh.sudoPasswordRef}
          onChange={(v) => ssh('sudoPasswordRef', { sudoPasswordRef: orUndefined(v) })}
        />
      </fieldset>
      {host.address !== '' && <TestConnection host={host} via={jumpChain(host, hosts)} />}
      <div className="node-actions" data-testid="host-node-actions">
        <NodeActions host={host} />
      </div>
      <CommitField
        label="Labels"
        multiline
        value={labelsToText(host.labels)}
        placeholder="zone=a"
        hint="One key=value per line; applied when you leave the field."
        parse={parseLabels}
        onCommit={(labels) => edit('labels', (h) => ({ ...h, labels }))}
      />
      <CommitField
        label="Taints"
        multiline
        value={taintsToText(host.taints)}
        placeholder="dedicated=infra:NoSchedule"
        hint="One key=value:Effect per line."
        parse={parseTaints}
        onCommit={(taints) => edit('taints', (h) => ({ ...h, taints }))}
      />
    </div>
  );
}
