import type { HostConnection } from './connection';
import { SshError } from './errors';

/** Writes a file over SFTP and sets its mode exactly (writeFile alone honours the umask). */
export async function sftpWrite(
  conn: HostConnection,
  path: string,
  data: Buffer,
  mode: number,
): Promise<void> {
  const sftp = await conn.sftpSession();
  await new Promise<void>((resolve, reject) => {
    sftp.writeFile(path, data, { mode }, (err) =>
      err
        ? reject(
            new SshError(
              'SFTP_FAILED',
              conn.label,
              `cannot write ${path}: ${err.message}`,
              {},
              { cause: err },
            ),
          )
        : resolve(),
    );
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

/** Writes to a temporary name, then renames over the target: readers see old or new, never half. */
export async function sftpPut(
  conn: HostConnection,
  tmp: string,
  data: Buffer,
  mode: number,
  finalPath: string,
): Promise<void> {
  await sftpWrite(conn, tmp, data, mode);
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
