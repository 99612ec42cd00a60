import { implement } from '@orpc/server';
import { StringDecoder } from 'node:string_decoder';
import { contract } from '../../../shared/contract';
import type { HostKey, SshConnection } from '../../../shared/contract/ssh';
import type { ServiceContext } from '../context';
import { describeFileError } from '../file-errors';
import { sshEngine } from './instance';
import { SshError, type HostKeyInfo } from './errors';
import { HostKeyOffers } from './host-key-offers';
import { StreamRedactor } from './redact';
import { testConnection } from './probe';
import type { SecretStore } from './secret-store';
import type { SshAuthMethod, SshTarget } from './types';

const os = implement(contract.ssh).$context<ServiceContext>();

type Errors = Parameters<Parameters<typeof os.testConnection.handler>[0]>[0]['errors'];

export class MissingSecret extends Error {
  constructor(readonly secretName: string) {
    super(`secret "${secretName}" is not set: enter it before connecting`);
  }
}

function secret(store: SecretStore, name: string): string {
  const v = store.get(name);
  if (v === undefined) throw new MissingSecret(name);
  return v;
}

/** Settings with secret names → an engine target with the values, resolved in main only. */
export function toTarget(c: SshConnection, store: SecretStore, via?: SshConnection[]): SshTarget {
  let auth: SshAuthMethod;
  switch (c.auth.type) {
    case 'key':
      auth = {
        type: 'key',
        keyFile: c.auth.keyFile,
        passphrase: c.auth.passphraseRef ? secret(store, c.auth.passphraseRef) : undefined,
      };
      break;
    case 'agent':
      auth = { type: 'agent' };
      break;
    case 'password':
      auth = { type: 'password', password: secret(store, c.auth.passwordRef) };
      break;
  }
  return {
    host: c.address,
    port: c.port,
    user: c.user,
    auth,
    sudoPassword: c.sudoPasswordRef ? secret(store, c.sudoPasswordRef) : undefined,
    via: via?.map((v) => toTarget(v, store)),
  };
}

/**
 * The secrets one call may use: the client's own store plus the values sent with the call,
 * which live only as long as the call (the caller clears the scope when it ends).
 */
export function callScope(context: ServiceContext, values: Record<string, string> | undefined): SecretStore {
  return context.secrets.child(values);
}

/** Keys presented to each client, waiting for the user's yes (see HostKeyOffers). */
const offers = new HostKeyOffers();

/** What a client may see of a presented key: no key blob, which only main keeps. */
function shown(k: HostKeyInfo): HostKey {
  return { host: k.host, port: k.port, keyType: k.keyType, fingerprint: k.fingerprint };
}

/**
 * Engine failures → the contract's typed errors. Messages already name the host. An unknown
 * host key becomes an offer of this client's (`context`): its token is how the user accepts it.
 */
export function typedError(errors: Errors, e: unknown, context: ServiceContext): unknown {
  if (e instanceof MissingSecret)
    return errors.SECRET_MISSING({ message: e.message, data: { name: e.secretName } });
  if (!(e instanceof SshError)) return e;
  const message = sshEngine().redactor.redact(e.message);
  const k = e.details.hostKey;
  if (e.code === 'HOST_KEY_UNKNOWN' && k)
    return errors.HOST_KEY_UNKNOWN({
      message,
      data: {
        target: e.target,
        hostKey: shown(k),
        acceptToken: offers.offer(context, k),
        otherKeys: e.details.otherKnownKeys ?? [],
      },
    });
  if (e.code === 'HOST_KEY_CHANGED' && k)
    return errors.HOST_KEY_CHANGED({
      message,
      data: {
        target: e.target,
        hostKey: shown(k),
        knownFingerprints: e.details.knownFingerprints ?? [],
        knownHostsFile: e.details.knownHostsFile,
      },
    });
  const code =
    e.code === 'HOST_KEY_UNKNOWN' || e.code === 'HOST_KEY_CHANGED' || e.code === 'SECRET_MISSING'
      ? 'PROTOCOL'
      : e.code;
  return errors.SSH_FAILED({ message, data: { target: e.target, code } });
}

export const sshRouter = {
  testConnection: os.testConnection.handler(async ({ input, errors, context }) => {
    const scope = callScope(context, input.secrets);
    try {
      return await testConnection(sshEngine(), toTarget(input.host, scope, input.via));
    } catch (e) {
      throw typedError(errors, e, context);
    } finally {
      scope.clear();
    }
  }),

  acceptHostKey: os.acceptHostKey.handler(async ({ input, errors, context }) => {
    // Only what a server presented to this client: the client names the offer, not the key.
    const key = offers.take(context, input.token);
    if (!key)
      throw errors.HOST_KEY_OFFER_GONE({
        message:
          'that host key offer is unknown, already used or expired (10 minutes); nothing was trusted. Test the connection again to see the key',
        data: {},
      });
    const target = `${key.host}:${key.port}`;
    const known = sshEngine().knownHosts;
    let verdict;
    try {
      verdict = await known.accept(key.host, key.port, key.keyType, key.key);
    } catch (e) {
      throw errors.SSH_FAILED({
        message: `${target}: cannot record the host key: ${describeFileError(e)}`,
        data: { target, code: 'PROTOCOL' },
      });
    }
    if (verdict.kind !== 'trusted') {
      const file = 'file' in verdict ? verdict.file : known.ownFile;
      throw errors.HOST_KEY_CHANGED({
        message: `${target}: a different key is on record in ${file}; remove that line first if the host was reinstalled`,
        data: {
          target,
          hostKey: shown(key),
          knownFingerprints: verdict.kind === 'changed' ? verdict.knownFingerprints : [],
          knownHostsFile: file,
        },
      });
    }
    return { knownHostsFile: verdict.file, hostKey: shown(key) };
  }),

  run: os.run.handler(async function* ({ input, errors, signal, context }) {
    // The call's values live (and stay masked in its output) until the call ends.
    const scope = callScope(context, input.secrets);
    try {
      let target: SshTarget;
      try {
        target = toTarget(input.host, scope, input.via);
      } catch (e) {
        throw typedError(errors, e, context);
      }
      // Output is text the page shows: a password echoed by a script, a token a command prints
      // are masked like log lines, also when a secret arrives split across two chunks.
      const redactor = sshEngine().redactor;
      const streams = {
        stdout: { decoder: new StringDecoder('utf8'), redactor: new StreamRedactor(redactor) },
        stderr: { decoder: new StringDecoder('utf8'), redactor: new StreamRedactor(redactor) },
      };
      try {
        for await (const ev of sshEngine().execStream(target, input.command, {
          sudo: input.sudo,
          timeoutMs: input.timeoutMs,
          signal,
        })) {
          if ('stream' in ev) {
            const { decoder, redactor: masked } = streams[ev.stream];
            const data = masked.push(decoder.write(ev.data));
            if (data) yield { stream: ev.stream, data };
          } else {
            for (const stream of ['stdout', 'stderr'] as const) {
              const { decoder, redactor: masked } = streams[stream];
              const rest = masked.push(decoder.end()) + masked.end();
              if (rest) yield { stream, data: rest };
            }
            yield ev.signal ? { exitCode: ev.exitCode, signal: ev.signal } : { exitCode: ev.exitCode };
          }
        }
      } catch (e) {
        throw typedError(errors, e, context);
      }
    } finally {
      scope.clear();
    }
  }),

  secrets: {
    set: os.secrets.set.handler(({ input, context }) => {
      context.secrets.set(input.name, input.value);
      return { name: input.name };
    }),
    delete: os.secrets.delete.handler(({ input, context }) => ({
      deleted: context.secrets.delete(input.name),
    })),
    names: os.secrets.names.handler(({ context }) => context.secrets.names()),
  },
};
