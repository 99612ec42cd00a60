import { ORPCError } from '@orpc/server';
import { expect } from 'vitest';

/** The typed error a contract call fails with (and fails the test if it does not). */
export async function failure(call: Promise<unknown>): Promise<ORPCError<string, unknown>> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(ORPCError);
    return error as ORPCError<string, unknown>;
  }
  throw new Error('expected the call to fail');
}
