import type { Host } from '../../../shared/model/cluster';
import {
  common,
  editLabels,
  editTaints,
  MIXED,
  mixedLabelKeys,
  mixedTaints,
  parseKeyFile,
  parsePort,
  parseUser,
  sharedLabels,
  sharedTaints,
  updateHosts,
} from '../store/bulk-edit';
import { useDesign } from '../store/design';
import { labelsToText, parseLabels, parseTaints, taintsToText } from '../store/labels-text';
import { CommitField } from './fields';

/** What a field shows: the shared value, or nothing with a "mixed" placeholder. */
const shown = <T,>(value: T | typeof MIXED, text: (v: T) => string) =>
  value === MIXED ? { value: '', placeholder: 'mixed' } : { value: text(value), placeholder: undefined };

/**
 * SSH and scheduling settings of several selected hosts at once. Each field shows what all of
 * them share or "mixed"; committing a field sets it on every selected host (one undo step).
 */
export function MultiHostProperties({ hosts }: { hosts: Host[] }) {
  const names = hosts.map((h) => h.name);
  const apply = (change: (h: Host) => Host) =>
    useDesign.getState().apply((p) => updateHosts(p, names, change));
  const ssh = (change: Partial<Host['ssh']>) => apply((h) => ({ ...h, ssh: { ...h.ssh, ...change } }));

  const user = shown(common(hosts.map((h) => h.ssh.user)), (u) => u);
  const port = shown(common(hosts.map((h) => h.ssh.port)), String);
  const keyFiles = hosts.map((h) => (h.ssh.auth.type === 'key' ? h.ssh.auth.keyFile : ''));
  const keyFile = shown(common(keyFiles), (k) => k);
  const labels = sharedLabels(hosts);
  const taints = sharedTaints(hosts);
  const otherLabels = mixedLabelKeys(hosts);
  const otherTaints = mixedTaints(hosts);

  return (
    <fieldset className="multi-host" data-testid="multi-host-properties">
      <legend>All {hosts.length} selected hosts</legend>
      <CommitField label="SSH user" {...user} parse={parseUser} onCommit={(value) => ssh({ user: value })} />
      <CommitField label="SSH port" {...port} parse={parsePort} onCommit={(value) => ssh({ port: value })} />
      <CommitField
        label="Key file"
        {...keyFile}
        placeholder={
          keyFile.placeholder ?? (keyFiles.every((k) => k === '') ? '~/.ssh/id_ed25519' : undefined)
        }
        hint="Setting it switches every selected host to key-file authentication."
        parse={parseKeyFile}
        onCommit={(path) =>
          apply((h) => {
            const old = h.ssh.auth;
            const passphraseRef = old.type === 'key' ? old.passphraseRef : undefined;
            const auth = { type: 'key' as const, keyFile: path, ...(passphraseRef ? { passphraseRef } : {}) };
            return { ...h, ssh: { ...h.ssh, auth } };
          })
        }
      />
      <CommitField
        label="Labels"
        multiline
        value={labelsToText(labels)}
        placeholder="zone=a"
        hint={
          otherLabels.length > 0
            ? `Labels all of them share, one key=value per line. Mixed, left as they are: ${otherLabels.join(', ')}.`
            : 'Labels all of them share, one key=value per line.'
        }
        parse={parseLabels}
        onCommit={(next) => apply((h) => ({ ...h, labels: editLabels(h.labels, labels, next) }))}
      />
      <CommitField
        label="Taints"
        multiline
        value={taintsToText(taints)}
        placeholder="dedicated=infra:NoSchedule"
        hint={
          otherTaints.length > 0
            ? `Taints all of them share, key=value:Effect. Mixed, left as they are: ${otherTaints.join(', ')}.`
            : 'Taints all of them share, one key=value:Effect per line.'
        }
        parse={parseTaints}
        onCommit={(next) => apply((h) => ({ ...h, taints: editTaints(h.taints, taints, next) }))}
      />
    </fieldset>
  );
}
