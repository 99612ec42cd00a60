import { posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import type { HostConnection } from './connection';
import { SshError } from './errors';

/**
 * OpenSSH's sftp-server reports a full disk as a bare "Failure" (SFTP has no ENOSPC): ask the
 * host how much room the folder has (statvfs@openssh.com) and say so when it is too little.
 */
function whyWriteFailed(sftp: SFTPWrapper, path: string, size: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    try {
      sftp.ext_openssh_statvfs(posix.dirname(path), (err, fs: Record<string, number | bigint>) => {
        if (err || !fs) return resolve(undefined);
        const free = Number(fs.f_bavail) * Number(fs.f_frsize);
        if (free < size) resolve(`the disk is full (${free} bytes free, ${size} needed)`);
        else if (Number(fs.f_favail) === 0) resolve('the disk has no free inodes');
        else resolve(undefined);
      });
    } catch {
      resolve(undefined); // a server without the extension: its own words are all there is
    }
  });
}

/** Writes a file over SFTP and sets its mode exactly (writeFile alone honours the umask). */
export async function sftpWrite(
  conn: HostConnection,
  path: string,
  data: Buffer,
  mode: number,
): Promise<void> {
  const sftp = await conn.sftpSession();
  await new Promise<void>((resolve, reject) => {
    sftp.writeFile(path, data, { mode }, (err) => {
      if (!err) return resolve();
      void whyWriteFailed(sftp, path, data.length).then((why) =>
        reject(
          new SshError(
            'SFTP_FAILED',
            conn.label,
            `cannot write ${path}: ${why ?? err.message}`,
            {},
            { cause: err },
          ),
        ),
      );
    });
  });
  // writeFile's mode only applies to new files and passes through the umask: set it exactly.
  await new Promise<void>((resolve, reject) => {
    sftp.chmod(path, mode, (err) =>
      err
        ? reject(
            new SshError(
              'SFTP_FAILED',
              conn.label,
              `cannot chmod ${path}: ${err.message}`,
              {},
              { cause: err },
            ),
          )
        : resolve(),
    );
  });
}

/** Removes a file of ours, best effort (the connection may be the reason we are cleaning up). */
export async function sftpRemove(conn: HostConnection, path: string): Promise<void> {
  try {
    const sftp = await conn.sftpSession();
    await new Promise<void>((resolve) => sftp.unlink(path, () => resolve()));
  } catch {
    /* nothing more to do: the name is unique and says keelson */
  }
}

/** Writes to a temporary name, then renames over the target: readers see old or new, never half. */
export async function sftpPut(
  conn: HostConnection,
  tmp: string,
  data: Buffer,
  mode: number,
  finalPath: string,
): Promise<void> {
  try {
    await sftpWrite(conn, tmp, data, mode);
  } catch (error) {
    // A write cut short (the host's disk is full, chmod refused) must not leave half a file.
    await sftpRemove(conn, tmp);
    throw error;
  }
  const sftp = await conn.sftpSession();
  await new Promise<void>((resolve, reject) => {
    sftp.ext_openssh_rename(tmp, finalPath, (err) => {
      if (!err) return resolve();
      sftp.unlink(tmp, () => undefined);
      reject(
        new SshError(
          'SFTP_FAILED',
          conn.label,
          `cannot rename into ${finalPath}: ${err.message}`,
          {},
          { cause: err },
        ),
      );
    });
  });
}
