/** Which shell a local terminal starts, and with what environment. */
import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultShell, shellEnvironment } from '../../../main/services/terminal/local-source';

describe('the local shell', () => {
  it('is $SHELL, else the account’s login shell, on Linux', () => {
    expect(defaultShell('linux', { SHELL: '/usr/bin/zsh' })).toEqual({ file: '/usr/bin/zsh', args: [] });
    expect(defaultShell('linux', {})).toEqual({ file: userInfo().shell || '/bin/sh', args: [] });
  });

  it('is a login shell on macOS, as Terminal.app starts it', () => {
    expect(defaultShell('darwin', { SHELL: '/bin/zsh' })).toEqual({ file: '/bin/zsh', args: ['-l'] });
  });

  it('is PowerShell on Windows', () => {
    expect(defaultShell('win32', { COMSPEC: 'C:\\Windows\\system32\\cmd.exe' }).file).toBe('powershell.exe');
  });

  it('gets TERM for xterm.js and KUBECONFIG on top of the app’s environment', () => {
    const env = shellEnvironment({ KUBECONFIG: '/home/me/.keelson/kubeconfig/demo.yaml' });
    expect(env).toMatchObject({
      TERM: 'xterm-256color',
      COLORTERM: 'truecolor',
      KUBECONFIG: '/home/me/.keelson/kubeconfig/demo.yaml',
      PATH: process.env.PATH,
    });
  });
});
