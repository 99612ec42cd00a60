import type { SshEngine } from './engine';
import { SshError } from './errors';
import type { SshTarget, SudoMode } from './types';

export interface HostFacts {
  target: string;
  os: string;
  osFamily?: 'debian' | 'rhel';
  kernel: string;
  cpus: number;
  memoryMb: number;
  sudo: 'passwordless' | 'with-password' | 'no';
  sudoDetail: string;
  hostKey: { keyType: string; fingerprint: string };
}

// One round trip; each fact on its own `key=value` line so odd values cannot shift others.
const FACTS_SCRIPT = [
  `printf 'kernel=%s\\n' "$(uname -r)"`,
  `printf 'uname=%s\\n' "$(uname -s)"`,
  `printf 'cpus=%s\\n' "$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)"`,
  `awk '/^MemTotal:/ {print "memkb=" $2}' /proc/meminfo`,
  `if [ -r /etc/os-release ]; then . /etc/os-release; printf 'pretty=%s\\nid=%s\\nlike=%s\\n' "$PRETTY_NAME" "$ID" "$ID_LIKE"; fi`,
].join('; ');

function parseFacts(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return m;
}

function familyOf(id: string, like: string): 'debian' | 'rhel' | undefined {
  const words = `${id} ${like}`.toLowerCase().split(/\s+/);
  if (words.some((w) => w === 'debian' || w === 'ubuntu')) return 'debian';
  if (words.some((w) => ['rhel', 'fedora', 'centos', 'rocky', 'almalinux'].includes(w))) return 'rhel';
  return undefined;
}

function sudoAccess(mode: SudoMode): HostFacts['sudo'] {
  return mode === 'root' ? 'passwordless' : mode;
}

/** What "Test connection" shows: log in, read a few facts, and find out how sudo behaves. */
export async function testConnection(engine: SshEngine, target: SshTarget): Promise<HostFacts> {
  const label = await engine.connect(target);
  const r = await engine.run(target, FACTS_SCRIPT, { timeoutMs: 20_000 });
  if (r.exitCode !== 0)
    throw new SshError('PROTOCOL', label, `reading host facts failed (exit ${r.exitCode})`);
  const f = parseFacts(r.stdout);
  const sudo = await engine.sudoModeOf(target);
  const hostKey = await engine.hostKeyOf(target);
  return {
    target: label,
    os: f.get('pretty') || f.get('uname') || 'unknown',
    osFamily: familyOf(f.get('id') ?? '', f.get('like') ?? ''),
    kernel: f.get('kernel') ?? 'unknown',
    cpus: Number.parseInt(f.get('cpus') ?? '0', 10) || 0,
    memoryMb: Math.round((Number.parseInt(f.get('memkb') ?? '0', 10) || 0) / 1024),
    sudo: sudoAccess(sudo.mode),
    sudoDetail: sudo.detail,
    hostKey,
  };
}
