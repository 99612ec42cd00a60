import type { PhaseId, PlanFile, PlanOutput, PlanStep } from './types';

const SECRET_PLACEHOLDER = /\{\{secret:([a-zA-Z0-9._-]+)\}\}/g;

export interface StepInput {
  id: string;
  phase: PhaseId;
  host: string;
  description: string;
  script: string;
  files?: PlanFile[];
  check?: string;
  timeoutSeconds?: number;
  dependsOn?: string[];
  outputs?: PlanOutput[];
}

/** Builds a step; the secrets list is read off the placeholders, so it can never fall out of date. */
export function step(input: StepInput): PlanStep {
  const files = input.files ?? [];
  const names = new Set<string>();
  for (const text of [input.script, input.check ?? '', ...files.map((f) => f.content)]) {
    for (const match of text.matchAll(SECRET_PLACEHOLDER)) names.add(match[1]!);
  }
  const result: PlanStep = {
    id: input.id,
    phase: input.phase,
    host: input.host,
    description: input.description,
    script: input.script,
    files,
    timeoutSeconds: input.timeoutSeconds ?? 300,
    dependsOn: [...new Set(input.dependsOn ?? [])],
    secrets: [...names].sort(),
  };
  if (input.check !== undefined) result.check = input.check;
  if (input.outputs?.length) result.outputs = input.outputs;
  return result;
}

export function file(path: string, content: string, language: string, mode = '0644'): PlanFile {
  return { path, content, mode, language };
}
