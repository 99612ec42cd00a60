import type { Redactor } from './redact';

/**
 * Secrets by name, in main's memory only, write-only from the outside: the contract can set
 * and delete them but never read one back, so the renderer forgets a value once it is sent.
 * Every value is registered with the redactor the moment it arrives.
 */
export class SecretStore {
  private readonly values = new Map<string, string>();

  constructor(private readonly redactors: Redactor[] = []) {}

  set(name: string, value: string): void {
    // An old value stays registered with the redactors: it may still appear in output.
    this.values.set(name, value);
    for (const r of this.redactors) r.register(value);
  }

  delete(name: string): boolean {
    return this.values.delete(name);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  names(): string[] {
    return [...this.values.keys()].sort();
  }

  /** Main-side use only (resolving *Ref settings); never exposed over the contract. */
  get(name: string): string | undefined {
    return this.values.get(name);
  }
}
