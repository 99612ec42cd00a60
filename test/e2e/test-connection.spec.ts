/**
 * "Test connection" in the host property panel against a REAL OpenSSH server on loopback:
 * the password prompt, the unknown-host-key prompt with the fingerprint `ssh-keygen -lf`
 * shows, Accept, then the host's facts; the accepted key is on disk and trusted from then on.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { startSshd, type Sshd } from '../unit/ssh/sshd-fixture';
import { expect, SCREENSHOT_DIR, startBuiltServer, test } from './fixtures';

// Only a path here: Playwright also loads this file in its runner process, which must not create it.
const root = join(tmpdir(), `keelson-e2e-testconn-${randomBytes(4).toString('hex')}`);
const serverEnv = {
  KEELSON_HOME: join(root, 'keelson'),
  // A throw-away HOME: the user's real ~/.ssh/known_hosts and ~/.ssh/config stay out of it.
  HOME: join(root, 'home'),
  KEELSON_KNOWN_HOSTS: join(root, 'known_hosts'),
};
test.use({ serverEnv });

let sshd: Sshd;

test.beforeAll(async () => {
  mkdirSync(serverEnv.HOME, { recursive: true });
  sshd = await startSshd();
});

test.afterAll(async () => {
  await sshd?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** What OpenSSH itself shows for the server's public host key: `256 SHA256:… comment (ED25519)`. */
function opensshFingerprint(): string {
  return execFileSync('ssh-keygen', ['-lf', `${sshd.hostKeyFile}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
}

/** The facts the panel should show, read from this machine (the sshd runs on it) by other means. */
function expectedFacts() {
  const osRelease = readFileSync('/etc/os-release', 'utf8');
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease)![1]!;
  const memKb = Number(/^MemTotal:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]);
  return {
    os: pretty,
    kernel: release(),
    cpus: execFileSync('nproc', { encoding: 'utf8' }).trim(),
    memory: `${(Math.round(memKb / 1024) / 1024).toFixed(1)} GiB`,
  };
}

const panel = (app: Page) => app.getByTestId('host-properties');
const field = (app: Page, label: string) => panel(app).getByLabel(label, { exact: true });

/** The <dd> after the <dt> named `term` in the facts list. */
const fact = (app: Page, term: string) =>
  app.getByTestId('connection-facts').locator(`dt:text-is("${term}") + dd`);

async function enterPassword(app: Page) {
  const secret = app.getByLabel('Value of ssh-password');
  await expect(secret).toBeVisible();
  await secret.fill(sshd.password);
  await app.getByRole('button', { name: 'Save and test' }).click();
}

async function expectFacts(app: Page) {
  const want = expectedFacts();
  await expect(app.getByTestId('connection-facts')).toBeVisible({ timeout: 20_000 });
  await expect(fact(app, 'OS')).toHaveText(want.os);
  await expect(fact(app, 'Kernel')).toHaveText(want.kernel);
  await expect(fact(app, 'CPUs')).toHaveText(want.cpus);
  await expect(fact(app, 'Memory')).toHaveText(want.memory);
  // The test user may sudo, but only with its password (sudoers: ALL=(ALL) ALL).
  await expect(fact(app, 'sudo')).toHaveText('with password');
  await expect(fact(app, 'Host key')).toHaveText(`ssh-ed25519 ${opensshFingerprint()}`);
}

const logins = () => sshd.log().split(`Accepted password for ${sshd.user} `).length - 1;

test('Test connection asks for the password, shows the host key to accept, then the host facts', async ({
  app,
}) => {
  await app.getByTestId('start-screen').getByLabel('Cluster name').fill('conn');
  await app.getByTestId('start-screen').getByRole('button', { name: 'Create cluster' }).click();
  await expect(app.getByTestId('canvas')).toBeVisible();
  await app.getByTestId('palette-worker').click();
  await app.getByTestId('node-worker1').click();
  await expect(field(app, 'Name')).toHaveValue('worker1');
  // No address, nothing to test yet.
  await expect(app.getByTestId('test-connection')).toHaveCount(0);

  await field(app, 'Address').fill('127.0.0.1');
  await field(app, 'SSH port').fill(String(sshd.port));
  await field(app, 'SSH user').fill(sshd.user);
  // A <select>'s name includes its chosen option ("Authentication SSH agent"): not an exact match.
  await panel(app).getByLabel('Authentication').selectOption({ label: 'Password (secret)' });
  await expect(field(app, 'Password secret name')).toHaveValue('ssh-password');

  const button = app.getByTestId('test-connection').getByRole('button', { name: 'Test connection' });
  await button.click();
  // The password is not set yet: the panel asks for it (and never shows it back).
  await enterPassword(app);
  await expect(app.getByLabel('Value of ssh-password')).toHaveCount(0);

  const prompt = app.getByRole('alertdialog', { name: 'Unknown host key' });
  await expect(prompt).toBeVisible({ timeout: 20_000 });
  await expect(prompt).toContainText(`127.0.0.1:${sshd.port}`);
  await expect(prompt.getByTestId('host-key-fingerprint')).toHaveText(`ssh-ed25519 ${opensshFingerprint()}`);
  // Nothing is trusted before the user says so.
  expect(existsSync(serverEnv.KEELSON_KNOWN_HOSTS)).toBe(false);
  expect(logins()).toBe(0);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await prompt.scrollIntoViewIfNeeded();
  await app.screenshot({ path: `${SCREENSHOT_DIR}/test-connection-host-key.png` });

  await prompt.getByRole('button', { name: 'Accept' }).click();
  await expectFacts(app);
  await expect(prompt).toHaveCount(0);
  expect(logins()).toBe(1);
  // Recorded in OpenSSH's bracketed form for a non-22 port, in the file KEELSON_KNOWN_HOSTS names.
  expect(readFileSync(serverEnv.KEELSON_KNOWN_HOSTS, 'utf8')).toBe(
    `[127.0.0.1]:${sshd.port} ssh-ed25519 ${sshd.hostKey}\n`,
  );
  // Never the user's own known_hosts.
  expect(existsSync(join(serverEnv.HOME, '.ssh', 'known_hosts'))).toBe(false);

  await app.getByTestId('connection-facts').scrollIntoViewIfNeeded();
  await app.screenshot({ path: `${SCREENSHOT_DIR}/test-connection.png` });

  // A second click, on a small screen with the panel scrolled to its top: straight to the
  // facts, no prompt, and the result scrolls into view by itself.
  await app.setViewportSize({ width: 1024, height: 700 });
  await panel(app).evaluate((el) => {
    for (let e: Element | null = el; e; e = e.parentElement) e.scrollTop = 0;
  });
  await expect(app.getByTestId('connection-facts')).not.toBeInViewport();
  // Clicked where it is, without Playwright's own scrolling (which would do the panel's work).
  await button.evaluate((b: HTMLButtonElement) => b.click());
  await expect(button).toBeEnabled();
  await expectFacts(app);
  await expect(prompt).toHaveCount(0);
  await expect(app.getByTestId('connection-facts')).toBeInViewport();

  // A fresh Keelson process (new SSH engine, no pooled connection, secrets forgotten) trusts
  // the recorded key: after the password, it logs in without asking about the host key.
  await expect(app.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  const second = await startBuiltServer(serverEnv);
  try {
    await app.goto(second.url);
    // Another port is another origin: no remembered cluster, so open it from the start screen.
    await app.getByTestId('start-screen').getByTestId('cluster-conn').getByRole('button').first().click();
    await app.getByTestId('node-worker1').click();
    await expect(field(app, 'Address')).toHaveValue('127.0.0.1');
    await button.click();
    await enterPassword(app);
    await expectFacts(app);
    await expect(prompt).toHaveCount(0);
    expect(logins()).toBe(2);
    expect(readFileSync(serverEnv.KEELSON_KNOWN_HOSTS, 'utf8').trim().split('\n')).toHaveLength(1);
  } finally {
    await second.close();
  }
});

test('a host known by its ed25519 key that now offers only RSA is a warning, and Accept waits for "I know"', async ({
  app,
}) => {
  writeFileSync(serverEnv.KEELSON_KNOWN_HOSTS, `[127.0.0.1]:${sshd.port} ssh-ed25519 ${sshd.hostKey}\n`);
  const { rsa } = await sshd.useHostKeys(['rsa']);
  try {
    await app.getByTestId('start-screen').getByLabel('Cluster name').fill('rsa');
    await app.getByTestId('start-screen').getByRole('button', { name: 'Create cluster' }).click();
    await app.getByTestId('palette-worker').click();
    await app.getByTestId('node-worker1').click();
    await field(app, 'Address').fill('127.0.0.1');
    await field(app, 'SSH port').fill(String(sshd.port));
    await field(app, 'SSH user').fill(sshd.user);
    await panel(app).getByLabel('Authentication').selectOption({ label: 'Password (secret)' });
    await app.getByTestId('test-connection').getByRole('button', { name: 'Test connection' }).click();
    await enterPassword(app);

    await expect(app.getByRole('alertdialog', { name: 'Unknown host key' })).toHaveCount(0);
    const prompt = app.getByRole('alertdialog', { name: 'Host key of another type' });
    await expect(prompt).toBeVisible({ timeout: 20_000 });
    await expect(prompt.getByTestId('host-key-other-type')).toContainText(
      'keys of a different type are already known for this host',
    );
    await expect(prompt).toContainText(`ssh-ed25519 ${opensshFingerprint()}`);
    await expect(prompt).toContainText(serverEnv.KEELSON_KNOWN_HOSTS);
    const rsaFingerprint = execFileSync('ssh-keygen', ['-lf', join(sshd.dir, 'host_rsa.pub')], {
      encoding: 'utf8',
    }).split(' ')[1]!;
    await expect(prompt.getByTestId('host-key-fingerprint')).toHaveText(`ssh-rsa ${rsaFingerprint}`);
    const accept = prompt.getByRole('button', { name: 'Accept' });
    await expect(accept).toBeDisabled();
    await prompt.screenshot({ path: `${SCREENSHOT_DIR}/test-connection-other-key-type.png` });
    await prompt.getByLabel("I know this host's keys changed").check();
    await accept.click();
    await expect(app.getByTestId('connection-facts')).toBeVisible({ timeout: 20_000 });
    await expect(fact(app, 'Host key')).toHaveText(`ssh-rsa ${rsaFingerprint}`);
    expect(readFileSync(serverEnv.KEELSON_KNOWN_HOSTS, 'utf8')).toBe(
      `[127.0.0.1]:${sshd.port} ssh-ed25519 ${sshd.hostKey}\n[127.0.0.1]:${sshd.port} ssh-rsa ${rsa}\n`,
    );
  } finally {
    await sshd.useHostKeys(['ed25519']);
  }
});
