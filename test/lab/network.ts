// The lab's wiring: a bridge in a dedicated "switch" namespace, one veth per host, one veth up to
// the root namespace (the operator's workstation). Names are prefixed kl<slot>- so labs started
// at the same time by different test runs never collide.
import { must, run } from './run';
import type { TeardownList } from './state';

export function labPrefix(slot: number): string {
  return `kl${slot}`;
}
export function switchNetns(slot: number): string {
  return `${labPrefix(slot)}-switch`;
}
/** The switch-side end of a host's cable (interface names are limited to 15 characters). */
export function switchPort(index: number): string {
  return `port${index}`;
}

const ip = (...args: string[]) => must('ip', args);

export async function createSwitch(slot: number, rootAddress: string, list: TeardownList): Promise<void> {
  const sw = switchNetns(slot);
  const uplink = `${labPrefix(slot)}-up`;
  list.netns(sw);
  await ip('netns', 'add', sw);
  await ip('-n', sw, 'link', 'set', 'lo', 'up');
  await ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge');
  await ip('-n', sw, 'link', 'set', 'br0', 'up');
  list.link(uplink);
  await ip('link', 'add', uplink, 'type', 'veth', 'peer', 'name', 'uplink', 'netns', sw);
  await ip('-n', sw, 'link', 'set', 'uplink', 'master', 'br0', 'up');
  await ip('addr', 'add', `${rootAddress}/24`, 'dev', uplink);
  await ip('link', 'set', uplink, 'up');
}

export async function plugHost(
  slot: number,
  index: number,
  netns: string,
  address: string,
  list: TeardownList,
): Promise<void> {
  const sw = switchNetns(slot);
  list.netns(netns);
  await ip('netns', 'add', netns);
  await ip('-n', netns, 'link', 'set', 'lo', 'up');
  await ip(
    '-n',
    sw,
    'link',
    'add',
    switchPort(index),
    'type',
    'veth',
    'peer',
    'name',
    'eth0',
    'netns',
    netns,
  );
  await ip('-n', sw, 'link', 'set', switchPort(index), 'master', 'br0', 'up');
  await ip('-n', netns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
  await ip('-n', netns, 'link', 'set', 'eth0', 'up');
  await ip('-n', netns, 'route', 'add', 'default', 'via', deadEndGateway(address), 'dev', 'eth0');
}

/**
 * Every host's default gateway: the subnet's .254, which no lab host or VIP takes. A real server
 * has a default route, and Kubernetes relies on one — a packet to a Service address (10.96.0.1)
 * needs a route before kube-proxy's DNAT rewrites it; without one Flannel crashed "network is
 * unreachable" on the first real lab cluster. A gateway that does not exist keeps the hosts
 * air-gapped: anything not rewritten to a lab address dies unanswered on the lab's own switch.
 */
export function deadEndGateway(address: string): string {
  return address.replace(/\.\d+$/, '.254');
}

/** SSH to this host only from the bastion: everyone else's packets to the port are dropped. */
export async function restrictSshToBastion(
  netns: string,
  sshPort: number,
  bastionAddress: string,
): Promise<void> {
  const rules = [
    'table inet keelson_bastion {',
    '  chain input {',
    '    type filter hook input priority 0; policy accept;',
    '    iif "lo" accept',
    `    tcp dport ${sshPort} ip saddr != ${bastionAddress} drop`,
    '  }',
    '}',
  ].join('\n');
  await must('ip', ['netns', 'exec', netns, 'nft', '-f', '-'], { input: rules });
}

export async function setCable(slot: number, index: number, connected: boolean): Promise<void> {
  await ip('-n', switchNetns(slot), 'link', 'set', switchPort(index), connected ? 'up' : 'down');
}

/** Random loss of `percent` of the host's packets in both directions (0 removes it). */
export async function setPacketLoss(netns: string, percent: number): Promise<void> {
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
    throw new Error(`lab: packet loss must be a whole percentage 0–100, got ${percent}`);
  }
  await run('ip', ['netns', 'exec', netns, 'nft', 'delete', 'table', 'inet', 'keelson_loss']);
  if (percent === 0) return;
  // nft's `numgen random mod 100` yields 0–99, so "< 100" is out of its range: 100% is a plain drop.
  const drop = percent === 100 ? 'drop' : `numgen random mod 100 < ${percent} drop`;
  const rules = [
    'table inet keelson_loss {',
    `  chain input { type filter hook input priority -10; iif "lo" accept; ${drop}; }`,
    `  chain output { type filter hook output priority -10; oif "lo" accept; ${drop}; }`,
    '}',
  ].join('\n');
  await must('ip', ['netns', 'exec', netns, 'nft', '-f', '-'], { input: rules });
}
