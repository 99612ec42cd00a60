import { ORPCError } from '@orpc/client';
import { expect } from 'vitest';

interface Issue {
  path?: PropertyKey[];
  /** zod's unrecognized_keys issue names the extra fields here rather than in path. */
  keys?: string[];
  message: string;
}

/**
 * A call rejected by the contract's zod schema must come back as oRPC's BAD_REQUEST
 * with the issues attached, and each issue must name the field it is about.
 */
export async function expectValidationError(call: Promise<unknown>, fields: string[]): Promise<void> {
  const error = await call.then(
    () => new Error('the call succeeded but should have been refused'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ORPCError);
  const orpc = error as ORPCError<string, { issues?: Issue[] }>;
  expect(orpc.code).toBe('BAD_REQUEST');
  expect(orpc.message).toBe('Input validation failed');
  const issues = orpc.data?.issues ?? [];
  expect(issues.length).toBeGreaterThan(0);
  for (const issue of issues) expect(typeof issue.message).toBe('string');
  const named = issues.flatMap((issue) => [String(issue.path?.[0] ?? ''), ...(issue.keys ?? [])]);
  for (const field of fields) expect(named, `an issue names "${field}"`).toContain(field);
}
