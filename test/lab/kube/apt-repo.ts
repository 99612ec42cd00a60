// Signed apt repositories in the two shapes the plan reads: pkgs.k8s.io's flat repository
// (`deb [signed-by=…] URL /`) and download.docker.com's dists/pool layout
// (`deb [signed-by=…] URL/debian bookworm stable`). Signed with a key made for this bundle, so
// hosts verify every package list exactly as they verify upstream's.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { must } from '../run';

export class SigningKey {
  constructor(private readonly home: string) {}

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, GNUPGHOME: this.home };
  }

  /** Creates the key once; later builds of the same bundle reuse it. */
  static async ensure(home: string): Promise<SigningKey> {
    const key = new SigningKey(home);
    if (!existsSync(join(home, 'pubring.kbx'))) {
      mkdirSync(home, { recursive: true, mode: 0o700 });
      await must(
        'gpg',
        [
          '--batch',
          '--passphrase',
          '',
          '--quick-gen-key',
          'Keelson offline bundle <bundle@keelson.invalid>',
          'ed25519',
          'sign',
          'never',
        ],
        { env: key.env() },
      );
    }
    return key;
  }

  /** ASCII-armoured public key (what `curl …/Release.key | gpg --dearmor` expects). */
  async publicKey(): Promise<string> {
    return must('gpg', ['--batch', '--armor', '--export'], { env: this.env() });
  }

  /** Writes InRelease (clear-signed) and Release.gpg (detached) beside `release`. */
  async sign(release: string, dir: string): Promise<void> {
    const opts = { env: this.env() };
    await must('gpg', ['--batch', '--yes', '--clearsign', '-o', join(dir, 'InRelease'), release], opts);
    await must('gpg', ['--batch', '--yes', '-abs', '-o', join(dir, 'Release.gpg'), release], opts);
  }
}

function releaseFile(dir: string, indexes: string[], fields: Record<string, string>): string {
  const entries = indexes.map((rel) => {
    const data = readFileSync(join(dir, rel));
    return { rel, size: statSync(join(dir, rel)).size, data };
  });
  const sums = (algo: string) =>
    entries.map((e) => ` ${createHash(algo).update(e.data).digest('hex')} ${e.size} ${e.rel}`).join('\n');
  return [
    ...Object.entries({
      Origin: 'Keelson offline bundle',
      Label: 'Keelson offline bundle',
      ...fields,
      Date: new Date().toUTCString(),
      Architectures: 'amd64',
    }).map(([k, v]) => `${k}: ${v}`),
    'MD5Sum:',
    sums('md5'),
    'SHA256:',
    sums('sha256'),
    '',
  ].join('\n');
}

async function writePackages(dir: string, scanFrom: string, prefix: string): Promise<void> {
  // dpkg-scanpackages names each file relative to the directory it runs in.
  const packages = await must('dpkg-scanpackages', ['--multiversion', prefix, '/dev/null'], {
    cwd: scanFrom,
  });
  writeFileSync(join(dir, 'Packages'), packages);
  writeFileSync(join(dir, 'Packages.gz'), gzipSync(Buffer.from(packages), { level: 9 }));
}

/** A flat repository in `dir`: the .debs, Packages, Release, InRelease, Release.gpg, Release.key. */
export async function writeFlatRepo(dir: string, debs: string[], key: SigningKey): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const deb of debs) copyFileSync(deb, join(dir, basename(deb)));
  await writePackages(dir, dir, '.');
  writeFileSync(join(dir, 'Release'), releaseFile(dir, ['Packages', 'Packages.gz'], {}));
  await key.sign(join(dir, 'Release'), dir);
  writeFileSync(join(dir, 'Release.key'), await key.publicKey());
}

/**
 * download.docker.com's shape under `base` (…/linux/debian): `gpg` (the public key),
 * pool/COMPONENT/*.deb and dists/CODENAME/{Release,InRelease,COMPONENT/binary-amd64/Packages}.
 */
export async function writeDistsRepo(
  base: string,
  codename: string,
  component: string,
  debs: string[],
  key: SigningKey,
): Promise<void> {
  const pool = join(base, 'pool', component);
  mkdirSync(pool, { recursive: true });
  for (const deb of debs) copyFileSync(deb, join(pool, basename(deb)));
  const dist = join(base, 'dists', codename);
  const index = join(dist, component, 'binary-amd64');
  mkdirSync(index, { recursive: true });
  await writePackages(index, base, join('pool', component));
  writeFileSync(
    join(dist, 'Release'),
    releaseFile(dist, [`${component}/binary-amd64/Packages`, `${component}/binary-amd64/Packages.gz`], {
      Suite: codename,
      Codename: codename,
      Components: component,
    }),
  );
  await key.sign(join(dist, 'Release'), dist);
  writeFileSync(join(base, 'gpg'), await key.publicKey());
}
