import { oc } from '@orpc/contract';
import { z } from 'zod';
import { CLUSTER_ID, ClusterName } from '../model/cluster-name';
import { Finding } from '../validation/finding';
import { EndpointIdentity } from '../validation/workspace';

/** A cluster in the workspace, as listed (no file content). */
export const ClusterEntry = z.object({
  /** File name stem: `NAME` of `NAME.keelson.yaml`. */
  id: z.string(),
  name: z.string(),
  modifiedAt: z.string(),
  /** Set when the file cannot be read as a project: the app shows it and never overwrites it. */
  error: z.string().optional(),
  /** VIP and VRRP router id, for the checks across clusters (shared/validation/workspace.ts). */
  endpoint: EndpointIdentity.optional(),
});
export type ClusterEntry = z.infer<typeof ClusterEntry>;

/** `ID.STAMP`: one deleted cluster in the workspace's `.trash/` (a cluster may be deleted twice). */
export const TrashId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/, 'a trash entry (ID.TIMESTAMP)');

/** A deleted cluster that can be restored. */
export const TrashEntry = z.object({
  trashId: z.string(),
  /** The file name stem it had, and gets back on restore. */
  id: z.string(),
  name: z.string(),
  deletedAt: z.string(),
  /** Its deploy state (NAME.deploy/) was deleted with it and comes back with it. */
  hasDeployState: z.boolean(),
});
export type TrashEntry = z.infer<typeof TrashEntry>;

export const TemplateEntry = z.object({ id: z.string(), name: z.string(), description: z.string() });
export type TemplateEntry = z.infer<typeof TemplateEntry>;

/**
 * Which version of a project file a client has: the SHA-256 of the file's text, as open,
 * create and save return it. A save names the version it was based on.
 */
export const ProjectVersion = z.string().regex(/^[0-9a-f]{64}$/, 'a project version (SHA-256, hex)');

/** A problem in a project file, where it is (see shared/model/parse.ts). */
export const ProjectErrorSchema = z.object({
  message: z.string(),
  path: z.string(),
  line: z.int(),
  column: z.int(),
});

/**
 * Typed failures a client can tell apart (`error.code`, `error.data`). Messages say what and
 * where; none carries file content beyond the failing line's position.
 */
export const workspaceErrors = {
  NOT_FOUND: { status: 404, data: z.object({ id: z.string() }) },
  /**
   * The id is taken (create, rename), or — for save — the file is not the version the save was
   * based on: another window or tab saved it, or someone edited it in an editor. Nothing was
   * written. `version` is the file's version now (null: it was deleted) and `project` what it
   * holds, so the client can show what differs and offer Reload (theirs) or Keep mine (save
   * again with `baseVersion: version`).
   */
  CONFLICT: {
    status: 409,
    data: z.object({
      id: z.string(),
      version: ProjectVersion.nullable().optional(),
      project: z.unknown().optional(),
    }),
  },
  /** A deploy or day-2 run holds the cluster (its deploy lock): it is not renamed or deleted under it. */
  BUSY: { status: 423, data: z.object({ id: z.string() }) },
  /** The project sent to save (or a template) does not match the schema. */
  INVALID_PROJECT: { status: 400, data: z.object({ errors: z.array(ProjectErrorSchema) }) },
  /**
   * The file on disk is not a readable project and was not written by this app session:
   * someone edited it by hand. Keelson refuses to overwrite it; fix, rename or delete it first.
   */
  FILE_BROKEN_ON_DISK: {
    status: 409,
    data: z.object({ id: z.string(), errors: z.array(ProjectErrorSchema) }),
  },
  /**
   * The file system refused: the disk is full (ENOSPC), read-only, permission denied… The
   * message says which in words, with the path; nothing on disk changed.
   */
  FILE_SYSTEM: { status: 507, data: z.object({ code: z.string(), path: z.string().optional() }) },
};

const ws = oc.errors(workspaceErrors);

const ClusterId = z.string().regex(CLUSTER_ID, 'lowercase letters, digits and -');

/**
 * Workspace: the folder of cluster project files. `project` travels as YAML text plus its
 * parsed form so the renderer never needs a YAML writer of its own to stay faithful.
 */
export const workspaceContract = {
  list: oc.output(z.object({ folder: z.string(), clusters: z.array(ClusterEntry) })),
  templates: ws.output(z.array(TemplateEntry)),
  /** New cluster, empty or from a template; its file is named after it. Fails if that file exists. */
  create: ws
    .input(z.strictObject({ name: ClusterName, templateId: z.string().max(64).optional() }))
    .output(z.object({ id: z.string(), project: z.unknown(), version: ProjectVersion })),
  /** Reads and parses; a broken file comes back with its error and no project. */
  open: ws.input(z.strictObject({ id: ClusterId })).output(
    z.object({
      id: z.string(),
      project: z.unknown().optional(),
      /** With the project: the version a later save names as its base. */
      version: ProjectVersion.optional(),
      /** When the file was last written (ISO 8601): a draft older than it is not offered back. */
      modifiedAt: z.string().optional(),
      error: z.string().optional(),
    }),
  ),
  /**
   * Validates the project against the schema and writes atomically, only if the file is still
   * `baseVersion` (null: the file must not exist) — else CONFLICT and nothing is written. The
   * version replaced is kept in the cluster's backup generations (workspace/.history/ID/).
   */
  save: ws
    .input(z.strictObject({ id: ClusterId, project: z.unknown(), baseVersion: ProjectVersion.nullable() }))
    .output(z.object({ savedAt: z.string(), findings: z.array(Finding), version: ProjectVersion })),
  /**
   * Gives the cluster a new name: metadata.name and the file name both follow it, and its deploy
   * state (NAME.deploy/), backup generations, kept secrets and kubeconfig move along. Refused
   * (CONFLICT) when the new name's files exist or a deploy or day-2 run holds the cluster.
   * Returns the project as rewritten, so an open window takes its new version.
   */
  rename: ws.input(z.strictObject({ id: ClusterId, name: ClusterName })).output(
    z.object({
      id: z.string(),
      name: z.string(),
      project: z.unknown().optional(),
      version: ProjectVersion.optional(),
    }),
  ),
  /** Moves the cluster and its deploy state into the workspace's `.trash/`; refused while a run holds it. */
  delete: ws.input(z.strictObject({ id: ClusterId })).output(z.object({ deleted: z.boolean() })),
  /** Deleted clusters, newest first. */
  trash: ws.output(z.array(TrashEntry)),
  /** Brings a deleted cluster back under its name; CONFLICT when a cluster of that name exists now. */
  restore: ws.input(z.strictObject({ trashId: TrashId })).output(z.object({ id: z.string() })),
  /**
   * Deletes one entry of the trash for good: its project file, deploy state, generations, `.bak`
   * and the kept secrets and kubeconfig set aside with it. Nothing else — not another entry of
   * the same cluster, not a live cluster of that name. NOT_FOUND (and `purged` is never false)
   * when it is not in the trash: restored or purged already.
   */
  purge: ws.input(z.strictObject({ trashId: TrashId })).output(z.object({ purged: z.boolean() })),
  /**
   * Purges the entries the user saw and confirmed — `trashIds`, as `trash` listed them — and
   * nothing deleted since (say, in another window). `purged`: how many went; `gone`: how many
   * of those ids were no longer in the trash (restored or purged meanwhile).
   */
  emptyTrash: ws
    .input(z.strictObject({ trashIds: z.array(TrashId).max(10_000) }))
    .output(z.object({ purged: z.int().nonnegative(), gone: z.int().nonnegative() })),
};
