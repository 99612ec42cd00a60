import { todayIso } from '../../../shared/kubernetes/releases';
import type { ClusterProject } from '../../../shared/model/cluster';
import { useDesign } from '../store/design';
import { hasEndpointNode } from '../store/edits';
import { EndpointProperties } from './EndpointProperties';
import { CheckField, Field, SelectField, TextField } from './fields';
import { OS_CHOICES } from './HostProperties';
import { versionChoices, versionHint } from './versionChoices';

type Spec = ClusterProject['spec'];

/** One family when every host says the same (or none says), else "mixed". */
function clusterOs(project: ClusterProject): string {
  const all = new Set(project.spec.hosts.map((h) => h.os ?? 'unset'));
  return all.size === 0 ? 'unset' : all.size === 1 ? [...all][0]! : 'mixed';
}

/** Shown when nothing is selected: settings of the whole cluster. */
export function ClusterProperties({ project }: { project: ClusterProject }) {
  const apply = useDesign((s) => s.apply);
  const spec = project.spec;
  const editSpec = (field: string, change: (s: Spec) => Spec) =>
    apply((p) => ({ ...p, spec: change(p.spec) }), `cluster:${field}`);
  const net = (field: keyof Spec['networking'], value: string) =>
    editSpec(`networking.${field}`, (s) => ({ ...s, networking: { ...s.networking, [field]: value } }));
  const pkg = (field: keyof Spec['packages'], value: string | undefined) =>
    editSpec(`packages.${field}`, (s) => ({ ...s, packages: { ...s.packages, [field]: value } }));
  const optional = (v: string) => (v.trim() === '' ? undefined : v.trim());

  return (
    <div className="props" data-testid="cluster-properties">
      <h2>Cluster</h2>
      {/* Read-only here: the file is named after the cluster, so a new name goes through Rename. */}
      <Field label="Cluster name" hint="Rename it from the Clusters menu: its file is renamed with it.">
        <input type="text" value={project.metadata.name} readOnly />
      </Field>
      <SelectField
        label="Kubernetes version"
        value={spec.kubernetesVersion}
        options={versionChoices(spec.kubernetesVersion, todayIso())}
        hint={versionHint(spec.kubernetesVersion, todayIso())}
        onChange={(v) => editSpec('kubernetesVersion', (s) => ({ ...s, kubernetesVersion: v }))}
      />
      <SelectField<string>
        label="OS family of the hosts"
        value={clusterOs(project)}
        options={[
          ...(clusterOs(project) === 'mixed' ? [{ value: 'mixed', label: 'Mixed (set on each host)' }] : []),
          ...OS_CHOICES,
        ]}
        hint="Sets every host's OS family at once; a host's own choice in its properties can differ."
        onChange={(os) =>
          os !== 'mixed' &&
          editSpec('os', (s) => ({
            ...s,
            hosts: s.hosts.map((h) => {
              const { os: _old, ...rest } = h;
              return os === 'unset' ? rest : { ...rest, os: os as 'debian' | 'rhel' };
            }),
          }))
        }
      />
      <SelectField
        label="etcd mode"
        value={spec.etcd.mode}
        options={[
          { value: 'stacked', label: 'Stacked (on the control planes)' },
          { value: 'external', label: 'External (etcd hosts)' },
        ]}
        onChange={(mode) => editSpec('etcd', (s) => ({ ...s, etcd: { mode } }))}
      />
      <fieldset>
        <legend>Networking</legend>
        <TextField
          label="Pod CIDR"
          value={spec.networking.podCidr}
          onChange={(v) => net('podCidr', v.trim())}
        />
        <TextField
          label="Service CIDR"
          value={spec.networking.serviceCidr}
          onChange={(v) => net('serviceCidr', v.trim())}
        />
        <TextField
          label="DNS domain"
          value={spec.networking.dnsDomain}
          onChange={(v) => net('dnsDomain', v.trim())}
        />
        <SelectField
          label="CNI"
          value={spec.networking.cni}
          options={['calico', 'flannel'] as const}
          onChange={(v) => net('cni', v)}
        />
        <SelectField
          label="kube-proxy mode"
          value={spec.networking.kubeProxyMode}
          options={['iptables', 'nftables', 'ipvs'] as const}
          onChange={(v) => net('kubeProxyMode', v)}
        />
      </fieldset>
      <fieldset>
        <legend>Packages</legend>
        <SelectField
          label="Package source"
          value={spec.packages.source}
          options={[
            { value: 'online', label: 'Online (upstream repositories)' },
            { value: 'mirror', label: 'Offline mirror' },
          ]}
          onChange={(v) => pkg('source', v)}
        />
        {spec.packages.source === 'mirror' && (
          <TextField
            label="Mirror URL"
            value={spec.packages.mirrorUrl}
            placeholder="http://10.0.0.5/keelson"
            onChange={(v) => pkg('mirrorUrl', optional(v))}
          />
        )}
        <TextField
          label="Image repository"
          value={spec.packages.imageRepository}
          placeholder="registry.k8s.io (default)"
          onChange={(v) => pkg('imageRepository', optional(v))}
        />
      </fieldset>
      <fieldset>
        <legend>Nodes</legend>
        {/* Deprecated escape hatch for cgroup v1 hosts; the Problems tab explains the warning. */}
        <CheckField
          label="Allow cgroup v1 hosts (deprecated)"
          checked={spec.kubelet.allowCgroupV1}
          onChange={(allowCgroupV1) =>
            editSpec('kubelet.allowCgroupV1', (s) => ({ ...s, kubelet: { ...s.kubelet, allowCgroupV1 } }))
          }
        />
      </fieldset>
      {/* Without a VIP node on the canvas (node-local), the endpoint is edited here. */}
      {!hasEndpointNode(project) && <EndpointProperties endpoint={spec.apiEndpoint} />}
    </div>
  );
}
