/**
 * Every writer of Keelson's own files on a disk that really fills up (a tmpfs, root only): the
 * write fails with the disk's error, the file it replaces is as it was, and no temporary or
 * half-written file stays behind — known_hosts, kept deploy secrets, a kubeconfig merge.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeKubeconfig, renamedAdminConfig } from '../../../main/services/deploy/kubeconfig';
import { FileSecretStore } from '../../../main/services/deploy/secrets';
import { describeFileError } from '../../../main/services/file-errors';
import { KnownHosts } from '../../../main/services/ssh/known-hosts';
import { canMountTinyDisk, mountTinyDisk, type TinyDisk } from '../support/tiny-disk';

const ED25519 = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';

describe.skipIf(!canMountTinyDisk())('writers on a full disk', () => {
  let disk: TinyDisk;
  beforeEach(() => {
    disk = mountTinyDisk(256);
  });
  afterEach(() => disk.unmount());
  const files = () => readdirSync(disk.dir).sort();

  it('known_hosts: the accept fails saying the disk is full, the file and folder are as they were', async () => {
    const file = join(disk.dir, 'known_hosts');
    writeFileSync(file, `old.example ssh-ed25519 ${ED25519}\n`);
    disk.fill();
    const error = await new KnownHosts(file)
      .accept('new.example', 22, 'ssh-ed25519', ED25519)
      .catch((e) => e);
    expect(describeFileError(error)).toBe(`the disk is full (writing ${file})`);
    expect(files()).toEqual(['filler', 'known_hosts']);
    expect(readFileSync(file, 'utf8')).toBe(`old.example ssh-ed25519 ${ED25519}\n`);
  });

  it('kept deploy secrets: the old set stays whole, no temporary file', async () => {
    const file = join(disk.dir, 'secrets', 'lab.json');
    await new FileSecretStore(file).keep('vrrp', 'first-value');
    const before = readFileSync(file);
    disk.fill();
    const error = await new FileSecretStore(file).keep('big', 'x'.repeat(60_000)).catch((e) => e);
    expect(describeFileError(error)).toMatch(/^the disk is full \(writing .*lab\.json\)$/);
    expect(readdirSync(join(disk.dir, 'secrets'))).toEqual(['lab.json']);
    expect(readFileSync(file)).toEqual(before);
  });

  // libuv's copyfile already removes a half-copied destination; this keeps it that way.
  it('a kubeconfig merge: no half-copied backup beside the config, the config as it was', async () => {
    const config = join(disk.dir, 'config');
    const theirs = `apiVersion: v1\nkind: Config\npreferences: {}\nclusters:\n- name: big\n  cluster:\n    server: https://big:6443\n    certificate-authority-data: ${'Q'.repeat(120_000)}\n`;
    writeFileSync(config, theirs);
    disk.fill();
    const ours = renamedAdminConfig(
      'apiVersion: v1\nkind: Config\nclusters: [{name: k, cluster: {server: "https://10.0.0.1:6443"}}]\nusers: [{name: a, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: k, user: a}}]\ncurrent-context: c\n',
      'keelson-lab',
    );
    await expect(mergeKubeconfig(config, ours)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(files()).toEqual(['config', 'filler']);
    expect(readFileSync(config, 'utf8')).toBe(theirs);
  });
});
