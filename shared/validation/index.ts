import type { ClusterProject } from '../model/cluster';
import type { Finding } from './finding';

/** Placeholder while the checks land; replaced in the next commit. */
export function validateCluster(_project: ClusterProject): Finding[] {
  return [];
}
