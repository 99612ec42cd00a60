import { implement } from '@orpc/server';
import { contract } from '../../../shared/contract';
import type { ServiceContext } from '../context';
import { deployRuns } from '../deploy/instance';
import { ClusterNotFound } from '../deploy/runs';
import { NotDeployableError } from '../deploy/service';
import { sshEngine } from '../ssh/instance';

const os = implement(contract.check).$context<ServiceContext>();

type Errors = Parameters<Parameters<typeof os.hosts.handler>[0]>[0]['errors'];

function typed(errors: Errors, id: string, e: unknown): unknown {
  const message = sshEngine().redactor.redact((e as Error)?.message ?? String(e));
  if (e instanceof ClusterNotFound) return errors.NOT_FOUND({ message, data: { id } });
  if (e instanceof NotDeployableError)
    return errors.NOT_DEPLOYABLE({ message, data: { codes: e.errors.map((f) => f.code) } });
  return e;
}

export const checkRouter = {
  hosts: os.hosts.handler(async ({ input, context, errors }) => {
    try {
      return await deployRuns().check(input.id, context.secrets, input.secrets);
    } catch (e) {
      throw typed(errors, input.id, e);
    }
  }),
  last: os.last.handler(async ({ input, errors }) => {
    try {
      return await deployRuns().lastCheck(input.id);
    } catch (e) {
      throw typed(errors, input.id, e);
    }
  }),
};
