import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { generatePlan } from '../../../shared/plan/generate';
import { project, type FixtureOptions } from './fixtures';
import { allFiles, fillPlaceholders, localNginx } from './helpers';

// haproxy -c and nginx -t accept a proxy that listens on IPv4 only; clients of an IPv6 VIP would
// then be refused. So the generated proxy really runs here, in a private network namespace (only
// loopback, the VIP added to it as keepalived would add it), and is connected to like a client.
const canUnshare =
  process.platform === 'linux' &&
  process.getuid?.() === 0 &&
  spawnSync('unshare', ['--net', 'true']).status === 0;

const dir = mkdtempSync(join(tmpdir(), 'keelson-ipv6-listen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const IPV6_VIP = 'fd77::100';

/** The first proxy config of the plan, with paths made private so the test owns every file it writes. */
function proxyConfig(options: FixtureOptions, language: 'haproxy' | 'nginx'): { path: string; port: number } {
  const p = project(options);
  const plan = generatePlan(p, { keelsonVersion: '0.1.0-test', osFamily: 'debian' });
  const file = allFiles(plan).find((f) => f.language === language);
  if (!file) throw new Error(`no ${language} file in the plan`);
  let content = fillPlaceholders(file.content);
  if (language === 'nginx')
    content = localNginx(content)
      .replace('pid /run/nginx.pid;', `pid ${dir}/nginx.pid;`)
      .replace(/error_log \S+/, `error_log ${dir}/nginx-error.log`);
  const path = join(dir, `${language}-${options.ipv6 ? 'v6' : 'v4'}.conf`);
  writeFileSync(path, content);
  return { path, port: p.spec.apiEndpoint.port };
}

/** Starts the proxy in a fresh network namespace and reports which client addresses it accepts. */
function acceptedClients(command: string, port: number): Record<string, string> {
  const script = `
    set -u
    ip link set lo up
    ip addr add ${IPV6_VIP}/128 dev lo nodad
    ${command} &
    pid=$!
    for _ in $(seq 100); do
      [ -n "$(ss -Hltn "sport = :${port}")" ] && break
      sleep 0.05
    done
    for addr in 127.0.0.1 ${IPV6_VIP}; do
      if (exec 3<>"/dev/tcp/$addr/${port}") 2>/dev/null; then echo "$addr connected"; else echo "$addr refused"; fi
    done
    kill "$pid"; wait "$pid" 2>/dev/null
    exit 0`;
  const r = spawnSync('unshare', ['--net', 'bash', '-c', script], { encoding: 'utf8', timeout: 20_000 });
  expect(r.status, r.stderr).toBe(0);
  return Object.fromEntries(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string]),
  );
}

describe.skipIf(!canUnshare)('an IPv6 VIP is answered by the generated proxy', () => {
  test('haproxy (keepalived + haproxy) accepts IPv4 and IPv6 clients', () => {
    const { path, port } = proxyConfig({ pattern: 'keepalived-haproxy', ipv6: true }, 'haproxy');
    expect(acceptedClients(`haproxy -db -f ${path}`, port)).toEqual({
      '127.0.0.1': 'connected',
      [IPV6_VIP]: 'connected',
    });
  });

  test('nginx (keepalived + nginx) accepts IPv4 and IPv6 clients', () => {
    const { path, port } = proxyConfig({ pattern: 'keepalived-nginx', ipv6: true }, 'nginx');
    expect(acceptedClients(`nginx -c ${path} -g 'daemon off;'`, port)).toEqual({
      '127.0.0.1': 'connected',
      [IPV6_VIP]: 'connected',
    });
  });

  test('an IPv4-only cluster does not listen on IPv6 (a host with IPv6 disabled could not bind it)', () => {
    const { path, port } = proxyConfig({ pattern: 'keepalived-haproxy' }, 'haproxy');
    expect(acceptedClients(`haproxy -db -f ${path}`, port)).toEqual({
      '127.0.0.1': 'connected',
      [IPV6_VIP]: 'refused',
    });
  });
});
