import { implement } from '@orpc/server';
import { contract } from '../../../shared/contract';
import type { ServiceContext } from '../context';
import { sshEngine } from '../ssh/instance';
import { MissingSecretsError, ResumeError } from './engine';
import { deployRuns } from './instance';
import { defaultKubeconfigPath, KubeconfigError, mergeKubeconfig, saveKubeconfig } from './kubeconfig';
import { CannotResume, ChecksRed, ClusterNotFound, RunBusy } from './runs';
import { NotDeployableError } from './service';
import { RunLockedError } from './state-dir';
import { isAbsolute, normalize } from 'node:path';

const os = implement(contract.deploy).$context<ServiceContext>();

type Errors = Parameters<Parameters<typeof os.start.handler>[0]>[0]['errors'];

/** Service failures → the contract's typed errors; every message is masked. */
function typed(errors: Errors, id: string, e: unknown): unknown {
  const message = sshEngine().redactor.redact((e as Error)?.message ?? String(e));
  if (e instanceof ClusterNotFound) return errors.NOT_FOUND({ message, data: { id } });
  if (e instanceof NotDeployableError)
    return errors.NOT_DEPLOYABLE({ message, data: { codes: e.errors.map((f) => f.code) } });
  if (e instanceof MissingSecretsError) return errors.SECRETS_MISSING({ message, data: { names: e.names } });
  if (e instanceof ChecksRed) return errors.CHECKS_RED({ message, data: { red: e.red } });
  if (e instanceof RunBusy || e instanceof RunLockedError) return errors.BUSY({ message, data: { id } });
  if (e instanceof ResumeError || e instanceof CannotResume)
    return errors.CANNOT_RESUME({ message, data: { id } });
  return e;
}

export const deployRouter = {
  readiness: os.readiness.handler(async ({ input, context, errors }) => {
    try {
      return await deployRuns().readiness(input.id, context.secrets);
    } catch (e) {
      throw typed(errors, input.id, e);
    }
  }),

  start: os.start.handler(async ({ input, context, errors }) => {
    try {
      const runId = await deployRuns().start(input.id, context.secrets, {
        secrets: input.secrets,
        resume: input.resume,
        ...(input.retryOnly ? { retryOnly: input.retryOnly } : {}),
        ...(input.skipPhases ? { skipPhases: input.skipPhases } : {}),
        ...(input.override ? { override: input.override } : {}),
      });
      return { runId };
    } catch (e) {
      throw typed(errors, input.id, e);
    }
  }),

  watch: os.watch.handler(async function* ({ input, signal }) {
    yield* deployRuns().watch(input.id, signal);
  }),

  live: os.live.handler(async function* ({ input, signal, errors }) {
    try {
      yield* deployRuns().live(input.id, signal);
    } catch (e) {
      throw typed(errors, input.id, e);
    }
  }),

  nodePlan: os.nodePlan.handler(async ({ input, errors }) => {
    try {
      return await deployRuns().planNode(input.id, input.op);
    } catch (e) {
      throw typed(errors, input.id, e);
    }
  }),

  nodeStart: os.nodeStart.handler(async ({ input, context, errors }) => {
    try {
      return {
        runId: await deployRuns().startNode(input.id, context.secrets, {
          op: input.op,
          secrets: input.secrets,
        }),
      };
    } catch (e) {
      throw typed(errors, input.id, e);
    }
  }),

  cancel: os.cancel.handler(({ input }) => ({ cancelled: deployRuns().cancel(input.id) })),

  retry: os.retry.handler(async ({ input, context, errors }) => {
    try {
      return { runId: await deployRuns().retry(input.id, input.stepId, context.secrets, input.secrets) };
    } catch (e) {
      throw typed(errors, input.id, e);
    }
  }),

  skip: os.skip.handler(async ({ input, context, errors }) => {
    try {
      return {
        runId: await deployRuns().skip(input.id, input.stepId, input.note, context.secrets, input.secrets),
      };
    } catch (e) {
      throw typed(errors, input.id, e);
    }
  }),

  log: os.log.handler(async ({ input, errors }) => {
    try {
      return await deployRuns().log(input.id, input.runId, input.stepId, input.from, input.count);
    } catch (e) {
      throw typed(errors, input.id, e);
    }
  }),

  kubeconfig: {
    save: os.kubeconfig.save.handler(async ({ input, errors }) => {
      if (!isAbsolute(input.path))
        throw errors.KUBECONFIG_FAILED({
          message: `not an absolute path: ${input.path}`,
          data: { path: input.path },
        });
      const path = normalize(input.path);
      const config = await deployRuns()
        .adminKubeconfig(input.id)
        .catch((e: unknown) => {
          throw typed(errors, input.id, e); // no such cluster: NOT_FOUND, not "Internal server error"
        });
      if (!config)
        throw errors.KUBECONFIG_FAILED({
          message: 'no admin kubeconfig yet: deploy the cluster first',
          data: { path },
        });
      try {
        await saveKubeconfig(path, config);
      } catch (e) {
        throw errors.KUBECONFIG_FAILED({
          message: `cannot write ${path}: ${(e as Error).message}`,
          data: { path },
        });
      }
      return { path };
    }),
    merge: os.kubeconfig.merge.handler(async ({ input, errors }) => {
      const path = defaultKubeconfigPath();
      const config = await deployRuns()
        .adminKubeconfig(input.id)
        .catch((e: unknown) => {
          throw typed(errors, input.id, e); // no such cluster: NOT_FOUND, not "Internal server error"
        });
      if (!config)
        throw errors.KUBECONFIG_FAILED({
          message: 'no admin kubeconfig yet: deploy the cluster first',
          data: { path },
        });
      try {
        return { path, ...(await mergeKubeconfig(path, config)) };
      } catch (e) {
        const why =
          e instanceof KubeconfigError ? e.message : `cannot update ${path}: ${(e as Error).message}`;
        throw errors.KUBECONFIG_FAILED({ message: why, data: { path } });
      }
    }),
  },
};
