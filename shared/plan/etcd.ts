import type { Host } from '../model/cluster';
import { KEELSON_DIR, hostField, hostPort, isIPv6, type OsFamily, type PlanContext } from './context';
import { opensslValue, systemdWord } from './escape';
import { EXTERNAL_ETCD_PKI } from './kubeadm-config';
import { FAIL_FUNCTION, bashScript, shq, writeOutput } from './shell';
import { file, step } from './step';
import { secretPlaceholder, valuePlaceholder, type PlanStep } from './types';
import { externalEtcdVersion } from './versions';

const PKI = '/etc/etcd/pki';
const EXT_FILE = `${PKI}/keelson-openssl.cnf`;
export const ETCD_CA_CRT_VALUE = 'etcd-ca-crt';
export const ETCD_CA_KEY_SECRET = 'etcd-ca-key';

/**
 * Lifetimes of the certificates Keelson makes for external etcd. kubeadm cannot renew these (it
 * has no etcd CA key), so a 1-year leaf would be an outage a year after a forgotten deploy: leaves
 * last 5 years, the CA 10 (as kubeadm's own CA). Every notAfter is recorded at deploy time (the
 * expiry step below, kept in the cluster's keelson-topology ConfigMap); README says how to renew.
 */
export const ETCD_CA_DAYS = 3650;
export const ETCD_CERT_DAYS = 1825;
/** The run-time record of every external etcd certificate's notAfter, one `name=date` per word. */
export const ETCD_EXPIRY_VALUE = 'etcd-certificates-not-after';
export const ETCD_EXPIRY_FILE = `${KEELSON_DIR}/etcd-certificates-not-after`;

const sanIp = (address: string): string => `IP:${address}`;

function extFile(ctx: PlanContext, host: Host | null): string {
  // OpenSSL config syntax: `$` expands, `#` comments, `,` separates SAN entries (escape.ts).
  const san = host
    ? `subjectAltName = DNS:${opensslValue(host.name, hostField(ctx, host, 'name'))}, DNS:localhost, ` +
      `${sanIp(opensslValue(host.address, hostField(ctx, host, 'address')))}, IP:127.0.0.1`
    : '';
  const leaf = ['basicConstraints = CA:FALSE', 'keyUsage = critical, digitalSignature, keyEncipherment'];
  return [
    '[server]',
    ...leaf,
    'extendedKeyUsage = serverAuth, clientAuth',
    ...(san ? [san] : []),
    '',
    '[peer]',
    ...leaf,
    'extendedKeyUsage = serverAuth, clientAuth',
    ...(san ? [san] : []),
    '',
    '[client]',
    ...leaf,
    'extendedKeyUsage = clientAuth',
    '',
  ].join('\n');
}

/** Lines that make KEY + CRT signed by the CA, unless they already exist. */
function signLines(
  out: string,
  cn: string,
  extension: string,
  ext: string,
  caCrt: string,
  caKey: string,
): string[] {
  return [
    `if [ ! -s ${shq(`${out}.crt`)} ]; then`,
    `  ( umask 077; openssl genrsa -out ${shq(`${out}.key`)} 2048 2>/dev/null )`,
    `  openssl req -new -key ${shq(`${out}.key`)} -subj ${shq(`/CN=${cn}`)} -out ${shq(`${out}.csr`)}`,
    `  openssl x509 -req -in ${shq(`${out}.csr`)} -CA ${shq(caCrt)} -CAkey ${shq(caKey)} -set_serial "0x$(openssl rand -hex 16)" \\`,
    `    -days ${ETCD_CERT_DAYS} -sha256 -extfile ${shq(ext)} -extensions ${shq(extension)} -out ${shq(`${out}.crt`)} 2>/dev/null`,
    `  rm -f ${shq(`${out}.csr`)}`,
    'fi',
  ];
}

function etcdUnit(ctx: PlanContext, host: Host): string {
  // systemd reads %specifiers and $variables in ExecStart: every value is a plain word (escape.ts).
  const url = (h: Host, port: number) =>
    `https://${systemdWord(hostPort(h.address, port), hostField(ctx, h, 'address'))}`;
  const name = (h: Host) => systemdWord(h.name, hostField(ctx, h, 'name'));
  const cluster = ctx.etcdHosts.map((h) => `${name(h)}=${url(h, 2380)}`).join(',');
  const loopback = isIPv6(host.address) ? '[::1]' : '127.0.0.1';
  const flags = [
    `--name=${name(host)}`,
    '--data-dir=/var/lib/etcd',
    `--listen-client-urls=${url(host, 2379)},https://${loopback}:2379`,
    `--advertise-client-urls=${url(host, 2379)}`,
    `--listen-peer-urls=${url(host, 2380)}`,
    `--initial-advertise-peer-urls=${url(host, 2380)}`,
    `--initial-cluster=${cluster}`,
    `--initial-cluster-token=${ctx.clusterName}-etcd`,
    '--initial-cluster-state=new',
    '--client-cert-auth=true',
    `--trusted-ca-file=${PKI}/ca.crt`,
    `--cert-file=${PKI}/server.crt`,
    `--key-file=${PKI}/server.key`,
    '--peer-client-cert-auth=true',
    `--peer-trusted-ca-file=${PKI}/ca.crt`,
    `--peer-cert-file=${PKI}/peer.crt`,
    `--peer-key-file=${PKI}/peer.key`,
  ];
  return [
    '[Unit]',
    `Description=etcd member ${name(host)} (Keelson, external etcd for ${systemdWord(ctx.clusterName, 'metadata.name')})`,
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=notify',
    `ExecStart=/usr/local/bin/etcd \\\n  ${flags.join(' \\\n  ')}`,
    'Restart=always',
    'RestartSec=5',
    'LimitNOFILE=65536',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

function installEtcdLines(ctx: PlanContext): string[] {
  const version = externalEtcdVersion(ctx.version);
  const base = ctx.mirror ? `${ctx.mirror}/etcd` : 'https://github.com/etcd-io/etcd/releases/download';
  return [
    `version=${shq(version)}`,
    `base=${shq(base)}`,
    'case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) fail "unsupported CPU $(uname -m)" ;; esac',
    'if ! grep -q "etcd Version: ${version#v}$" <<<"$(/usr/local/bin/etcd --version 2>/dev/null)"; then',
    '  tmp=$(mktemp -d)',
    '  trap \'rm -rf "$tmp"\' EXIT',
    '  curl -fsSL "${base}/${version}/etcd-${version}-linux-${arch}.tar.gz" -o "$tmp/etcd.tar.gz"',
    '  tar -xzf "$tmp/etcd.tar.gz" -C "$tmp" --strip-components=1',
    '  install -m 0755 "$tmp/etcd" "$tmp/etcdctl" "$tmp/etcdutl" /usr/local/bin/',
    'fi',
  ];
}

/**
 * openssl signs the certificates and curl/tar fetch etcd; minimal installs (Debian minbase, cloud
 * images) may lack openssl, so what is missing is installed, and nothing else is touched.
 */
function toolLines(family: OsFamily, tools: string[]): string[] {
  return [
    `tools=(${tools.map(shq).join(' ')})`,
    'missing=()',
    'for tool in "${tools[@]}"; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done',
    'if [ "${#missing[@]}" -gt 0 ]; then',
    ...(family === 'debian'
      ? [
          '  export DEBIAN_FRONTEND=noninteractive',
          '  apt-get update -q',
          '  apt-get install -y -q "${missing[@]}"',
        ]
      : ['  dnf install -y -q "${missing[@]}"']),
    'fi',
  ];
}

function etcdctl(ctx: PlanContext): string {
  const endpoints = ctx.etcdHosts.map((h) => `https://${hostPort(h.address, 2379)}`).join(',');
  return `/usr/local/bin/etcdctl --endpoints=${shq(endpoints)} --cacert=${shq(`${PKI}/ca.crt`)} --cert=${shq(`${PKI}/healthcheck-client.crt`)} --key=${shq(`${PKI}/healthcheck-client.key`)}`;
}

export function externalEtcdSteps(ctx: PlanContext): PlanStep[] {
  const first = ctx.etcdHosts[0];
  if (!first) return [];
  const caId = `external-etcd/ca/${first.name}`;
  const ca = step({
    id: caId,
    phase: 'external-etcd',
    host: first.name,
    description:
      `Create the etcd CA on ${first.name} with openssl (kept if it already exists; valid ${ETCD_CA_DAYS} days) and a ` +
      `health-check client certificate (${ETCD_CERT_DAYS} days). ` +
      'Hands the CA certificate and key to the member and apiserver-client steps (the key as a secret).',
    script: bashScript(
      FAIL_FUNCTION,
      ...toolLines(ctx.os(first), ['openssl']),
      `install -d -m 0700 ${shq(PKI)}`,
      `cd ${shq(PKI)}`,
      'if [ ! -s ca.crt ]; then',
      '  ( umask 077; openssl genrsa -out ca.key 2048 2>/dev/null )',
      `  openssl req -x509 -new -key ca.key -sha256 -days ${ETCD_CA_DAYS} -subj '/CN=etcd-ca' \\`,
      "    -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' -out ca.crt",
      'fi',
      ...signLines(
        `${PKI}/healthcheck-client`,
        'etcd-healthcheck-client',
        'client',
        EXT_FILE,
        `${PKI}/ca.crt`,
        `${PKI}/ca.key`,
      ),
      ...writeOutput(ETCD_CA_CRT_VALUE, '"$(cat ca.crt)"'),
      ...writeOutput(ETCD_CA_KEY_SECRET, '"$(cat ca.key)"'),
    ),
    files: [file(EXT_FILE, extFile(ctx, null), 'ini', '0600')],
    timeoutSeconds: 60,
    dependsOn: [`os-prep/${first.name}`],
    outputs: [
      { name: ETCD_CA_CRT_VALUE, secret: false, description: 'etcd CA certificate (PEM)' },
      { name: ETCD_CA_KEY_SECRET, secret: true, description: 'etcd CA private key (PEM)' },
    ],
  });
  const members = ctx.etcdHosts.map((host) =>
    step({
      id: `external-etcd/member/${host.name}`,
      phase: 'external-etcd',
      host: host.name,
      description:
        `etcd ${externalEtcdVersion(ctx.version)} member ${host.name}: TLS server + peer certificates for ${host.address} ` +
        `(${ETCD_CERT_DAYS} days; signed only when missing, which is how they are renewed), ` +
        `peer/client URLs on its real address, --initial-cluster-state=new, systemd unit. Started without waiting: ` +
        'a new member blocks until a quorum of peers is up.',
      script: bashScript(
        FAIL_FUNCTION,
        ...toolLines(ctx.os(host), ['openssl', 'curl', 'tar']),
        ...installEtcdLines(ctx),
        `install -d -m 0700 /var/lib/etcd ${shq(PKI)}`,
        ...signLines(
          `${PKI}/server`,
          host.name,
          'server',
          EXT_FILE,
          `${PKI}/ca.crt`,
          `${PKI}/ca.key.keelson`,
        ),
        ...signLines(`${PKI}/peer`, host.name, 'peer', EXT_FILE, `${PKI}/ca.crt`, `${PKI}/ca.key.keelson`),
        ...(host.name === first.name
          ? []
          : signLines(
              `${PKI}/healthcheck-client`,
              'etcd-healthcheck-client',
              'client',
              EXT_FILE,
              `${PKI}/ca.crt`,
              `${PKI}/ca.key.keelson`,
            )),
        '# Only the first member keeps the CA key (in ca.key); the copy handed over is removed.',
        `rm -f ${shq(`${PKI}/ca.key.keelson`)}`,
        'systemctl daemon-reload',
        'systemctl enable etcd',
        'systemctl start --no-block etcd',
      ),
      files: [
        file(`${PKI}/ca.crt`, `${valuePlaceholder(ETCD_CA_CRT_VALUE)}\n`, 'text'),
        file(`${PKI}/ca.key.keelson`, `${secretPlaceholder(ETCD_CA_KEY_SECRET)}\n`, 'text', '0600'),
        file(EXT_FILE, extFile(ctx, host), 'ini', '0600'),
        file('/etc/systemd/system/etcd.service', etcdUnit(ctx, host), 'ini'),
      ],
      check: bashScript(
        'systemctl is-enabled --quiet etcd',
        `test -s ${shq(`${PKI}/server.crt`)}`,
        `test -s ${shq(`${PKI}/peer.crt`)}`,
      ),
      timeoutSeconds: 300,
      dependsOn: [caId, `os-prep/${host.name}`],
    }),
  );
  const health = step({
    id: `external-etcd/health/${first.name}`,
    phase: 'external-etcd',
    host: first.name,
    description: `Wait until all ${ctx.etcdHosts.length} etcd members report healthy over TLS.`,
    script: bashScript(
      FAIL_FUNCTION,
      'for _ in $(seq 1 60); do',
      `  if ${etcdctl(ctx)} endpoint health >/dev/null 2>&1; then break; fi`,
      '  sleep 2',
      'done',
      `${etcdctl(ctx)} endpoint health || fail 'etcd cluster is not healthy'`,
      `${etcdctl(ctx)} member list -w table`,
    ),
    check: bashScript(`${etcdctl(ctx)} endpoint health >/dev/null 2>&1`),
    timeoutSeconds: 180,
    dependsOn: members.map((m) => m.id),
  });
  const cp = ctx.firstControlPlane;
  const clientBase = EXTERNAL_ETCD_PKI.certFile.replace(/\.crt$/, '');
  const client = step({
    id: `external-etcd/apiserver-client/${cp.name}`,
    phase: 'external-etcd',
    host: cp.name,
    description:
      `Install the etcd CA and sign the apiserver's etcd client certificate on ${cp.name} (kubeadm's file names, ` +
      `${ETCD_CERT_DAYS} days). ` +
      '`kubeadm init --upload-certs` shares them with the other control planes.',
    script: bashScript(
      FAIL_FUNCTION,
      ...toolLines(ctx.os(cp), ['openssl']),
      'install -d -m 0755 /etc/kubernetes/pki/etcd',
      ...signLines(
        clientBase,
        'kube-apiserver-etcd-client',
        'client',
        `${KEELSON_DIR}/etcd-client-openssl.cnf`,
        EXTERNAL_ETCD_PKI.caFile,
        '/etc/kubernetes/pki/etcd/ca.key.keelson',
      ),
      "rm -f '/etc/kubernetes/pki/etcd/ca.key.keelson'",
    ),
    files: [
      file(EXTERNAL_ETCD_PKI.caFile, `${valuePlaceholder(ETCD_CA_CRT_VALUE)}\n`, 'text'),
      file(
        '/etc/kubernetes/pki/etcd/ca.key.keelson',
        `${secretPlaceholder(ETCD_CA_KEY_SECRET)}\n`,
        'text',
        '0600',
      ),
      file(`${KEELSON_DIR}/etcd-client-openssl.cnf`, extFile(ctx, null), 'ini', '0600'),
    ],
    check: bashScript(
      `test -s ${shq(EXTERNAL_ETCD_PKI.certFile)}`,
      `test -s ${shq(EXTERNAL_ETCD_PKI.keyFile)}`,
    ),
    timeoutSeconds: 60,
    dependsOn: [caId, `kubernetes-packages/${cp.name}`],
  });
  return [ca, ...members, health, client, expiryStep(ctx, [health.id, client.id])];
}

/**
 * Reads when every external etcd certificate expires, as deployed: the CA and the apiserver's
 * client certificate on the first control plane, and the certificate each member really serves
 * on its client and peer ports. No check: it is cheap and its record must be current.
 */
function expiryStep(ctx: PlanContext, after: string[]): PlanStep {
  const cp = ctx.firstControlPlane;
  const endpoints = ctx.etcdHosts.flatMap((h) => [
    `${h.name}.server=${hostPort(h.address, 2379)}`,
    `${h.name}.peer=${hostPort(h.address, 2380)}`,
  ]);
  return step({
    id: `external-etcd/expiry/${cp.name}`,
    phase: 'external-etcd',
    host: cp.name,
    description:
      `Record when each external etcd certificate expires (CA, apiserver client, every member's served server and ` +
      `peer certificate) in ${ETCD_EXPIRY_FILE}; post-install keeps it in ConfigMap kube-system/keelson-topology.`,
    script: bashScript(
      FAIL_FUNCTION,
      `ca=${shq(EXTERNAL_ETCD_PKI.caFile)}`,
      `cert=${shq(EXTERNAL_ETCD_PKI.certFile)}`,
      `key=${shq(EXTERNAL_ETCD_PKI.keyFile)}`,
      '# notAfter of one PEM certificate on stdin, as an ISO 8601 UTC time.',
      'not_after() { local end; end=$(openssl x509 -noout -enddate) || return 1; date -u -d "${end#notAfter=}" +%Y-%m-%dT%H:%M:%SZ; }',
      'ca_date=$(not_after <"$ca") || fail "cannot read the etcd CA certificate $ca"',
      'client_date=$(not_after <"$cert") || fail "cannot read the apiserver etcd client certificate $cert"',
      'record=("ca=${ca_date}" "apiserver-etcd-client=${client_date}")',
      `endpoints=(${endpoints.map(shq).join(' ')})`,
      'for entry in "${endpoints[@]}"; do',
      '  name=${entry%%=*}',
      '  # The certificate the member serves (what clients see), fetched with the apiserver client certificate.',
      '  served=$(openssl s_client -connect "${entry#*=}" -CAfile "$ca" -cert "$cert" -key "$key" </dev/null 2>/dev/null || true)',
      '  date=$(not_after <<<"$served") || fail "no certificate from etcd ${name} at ${entry#*=}"',
      '  record+=("${name}=${date}")',
      'done',
      `install -d -m 0755 ${shq(KEELSON_DIR)}`,
      `printf '%s\n' "\${record[*]}" > ${shq(ETCD_EXPIRY_FILE)}`,
      `cat ${shq(ETCD_EXPIRY_FILE)}`,
      ...writeOutput(ETCD_EXPIRY_VALUE, '"${record[*]}"'),
    ),
    timeoutSeconds: 60,
    dependsOn: after,
    outputs: [
      {
        name: ETCD_EXPIRY_VALUE,
        secret: false,
        description: 'notAfter of every external etcd certificate (name=ISO date, space separated)',
      },
    ],
  });
}
