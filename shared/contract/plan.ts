import { oc } from '@orpc/contract';
import { z } from 'zod';
import { ALL_PHASE_IDS } from '../plan/phases';
import type { Plan as PlanType } from '../plan/types';

/**
 * Plan area: what a deploy would run, host by host. The schemas mirror shared/plan/types.ts
 * (checked both ways at compile time below) so a plan crossing IPC is validated like any payload.
 */
/** From the one phase registry (shared/plan/phases.ts). */
export const PhaseId = z.enum(ALL_PHASE_IDS);

export const PlanFile = z.object({
  path: z.string(),
  content: z.string(),
  mode: z.string(),
  language: z.string(),
});

export const PlanOutput = z.object({
  name: z.string(),
  secret: z.boolean(),
  description: z.string(),
  uniqueAcrossHosts: z.string().optional(),
});

export const PlanStep = z.object({
  id: z.string(),
  phase: PhaseId,
  host: z.string(),
  description: z.string(),
  script: z.string(),
  files: z.array(PlanFile),
  check: z.string().optional(),
  timeoutSeconds: z.number(),
  dependsOn: z.array(z.string()),
  secrets: z.array(z.string()),
  outputs: z.array(PlanOutput).optional(),
});

export const PlanPhase = z.object({
  id: PhaseId,
  title: z.string(),
  parallel: z.boolean(),
  steps: z.array(PlanStep),
});

export const PlanHost = z.object({
  name: z.string(),
  address: z.string(),
  roles: z.array(z.string()),
  os: z.enum(['debian', 'rhel']),
  ssh: z.object({ user: z.string(), port: z.number() }),
  route: z.array(z.string()),
});

export const Plan = z.object({
  cluster: z.string(),
  kubernetesVersion: z.string(),
  generatedBy: z.string(),
  hosts: z.array(PlanHost),
  phases: z.array(PlanPhase),
});

// If shared/plan/types.ts changes, these two lines stop compiling until the schema follows.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesTypes: Same<z.infer<typeof Plan>, PlanType> = true;
void schemaMatchesTypes;

const ClusterId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and -');

/** Which project to plan: a cluster of the workspace by id, or a project given inline. */
export const PlanSource = z.union([
  z.strictObject({ id: ClusterId }),
  z.strictObject({ project: z.unknown() }),
]);
export type PlanSource = z.infer<typeof PlanSource>;

const ExportTarget = {
  /** Absolute path chosen by the user. */
  folder: z.string().min(1).max(4_096),
  /** Without it a folder that has anything in it is refused, so nothing is lost by a typo. */
  overwrite: z.boolean().default(false),
};

const ProjectProblem = z.object({ message: z.string(), path: z.string() });

/** Typed failures (`error.code`, `error.data`); every message says what and where. */
export const planErrors = {
  /** No workspace cluster with that id. */
  NOT_FOUND: { status: 404, data: z.object({ id: z.string() }) },
  /** The project does not match the schema (or its file does not parse). */
  INVALID_PROJECT: { status: 400, data: z.object({ errors: z.array(ProjectProblem) }) },
  /** A valid project the generators cannot plan yet (e.g. no control plane); `path` names the field. */
  CANNOT_PLAN: { status: 422, data: ProjectProblem },
  /** The export folder is not usable: relative, a file, or not empty without `overwrite`. */
  BAD_FOLDER: { status: 400, data: z.object({ folder: z.string() }) },
};

const procedure = oc.errors(planErrors);

export const planContract = {
  /** Generates the plan; a project that cannot be planned fails with what and where. */
  generate: procedure.input(PlanSource).output(Plan),
  /** Writes the plan as a folder (one script per step, its files beside it). */
  export: procedure
    .input(
      z.union([
        z.strictObject({ id: ClusterId, ...ExportTarget }),
        z.strictObject({ project: z.unknown(), ...ExportTarget }),
      ]),
    )
    .output(z.object({ folder: z.string(), files: z.int() })),
};
