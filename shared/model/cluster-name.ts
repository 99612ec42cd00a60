import { z } from 'zod';

/**
 * A cluster has one name: what the user typed (metadata.name) and what its file is called
 * (`ID.keelson.yaml`, ID = clusterIdFor(name)) follow from each other, so the list never shows
 * two names for one cluster. The rules below keep that mapping lossless enough to be obvious:
 * ASCII letters, digits, spaces and `- _ .` only, so "Prod East" is `prod-east.keelson.yaml`.
 * Checked by the create and rename forms and again by main on every IPC payload.
 */
export const CLUSTER_NAME_MAX = 60;

/** The file-name stem of a cluster's files: `ID.keelson.yaml`, `ID.deploy/`. */
export const CLUSTER_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** What is wrong with `name` as a cluster name, in words; undefined when it is fine. */
export function clusterNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'a cluster name is required';
  if (name !== name.trim()) return 'the name starts or ends with a space';
  if (name.length > CLUSTER_NAME_MAX)
    return `the name is ${name.length} characters long; at most ${CLUSTER_NAME_MAX}`;
  const bad = [...name].find((c) => !/[A-Za-z0-9 ._-]/.test(c));
  if (bad !== undefined)
    return `"${bad}" is not allowed in a cluster name: use letters, digits, spaces and - _ .`;
  if (!/^[A-Za-z0-9]/.test(name)) return 'the name must start with a letter or a digit';
  if (/\s{2}/.test(name)) return 'the name has two spaces in a row';
  return undefined;
}

/** The file-name stem of a valid cluster name: "Prod East" → "prod-east". */
export function clusterIdFor(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** A cluster name as the contract takes it (create, rename): the rules above, said in words. */
export const ClusterName = z.string().superRefine((name, ctx) => {
  const problem = clusterNameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
