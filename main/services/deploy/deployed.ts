import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterProject } from '../../../shared/model/cluster';
import { writeFileAtomic } from '../workspace/atomic-write';

/** What is deployed, beside the project (NAME.deploy/deployed.json): the canvas's deployed mode reads it. */
export interface DeployedRecord {
  cluster: string;
  runId: string;
  /** ISO date the run succeeded. */
  at: string;
  kubernetesVersion: string;
  planHash: string;
  keelsonVersion: string;
  hosts: { name: string; address: string; roles: string[] }[];
}

export async function writeDeployed(stateDir: string, record: DeployedRecord): Promise<void> {
  await writeFileAtomic(join(stateDir, 'deployed.json'), `${JSON.stringify(record, null, 2)}\n`);
}

export async function readDeployed(stateDir: string): Promise<DeployedRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(stateDir, 'deployed.json'), 'utf8')) as DeployedRecord;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export function deployedRecord(
  project: ClusterProject,
  run: { runId: string; planHash: string },
  keelsonVersion: string,
  kubernetesVersion: string,
  at = new Date(),
): DeployedRecord {
  return {
    cluster: project.metadata.name,
    runId: run.runId,
    at: at.toISOString(),
    kubernetesVersion,
    planHash: run.planHash,
    keelsonVersion,
    hosts: project.spec.hosts.map((h) => ({ name: h.name, address: h.address, roles: [...h.roles] })),
  };
}
