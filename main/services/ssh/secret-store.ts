import type { RedactionScope, Redactor } from './redact';

/**
 * Secrets by name, in main's memory only, write-only from the outside: the contract can set
 * and delete them but never read one back, so the renderer forgets a value once it is sent.
 * Every value is masked by the redactors from the moment it arrives until the store (or scope) is
 * cleared: the redactors then stop holding it, unless something else still does.
 *
 * Scopes, so a secret lives no longer and reaches no further than it must:
 * - one store per client connection (a window, a browser tab): `ssh.secrets.set` writes there,
 *   other clients never see it, and the transport clears it when the connection closes;
 * - `child()` per call or per run: sees its parent's secrets, adds its own (the `secrets` map
 *   sent with a call, values a deploy run generates), and is cleared when the call or run ends.
 *   Nothing written to a child reaches the parent.
 */
export class SecretStore {
  private readonly values = new Map<string, string>();
  /** This store's holds on the redactors, released by clear(). */
  private readonly masks: RedactionScope[];

  constructor(
    private readonly redactors: Redactor[] = [],
    private readonly parent?: SecretStore,
  ) {
    this.masks = redactors.map((r) => r.scope());
  }

  /** A scope for one call or run on top of this store, holding `values` besides. */
  child(values: Record<string, string> = {}): SecretStore {
    const scope = new SecretStore(this.redactors, this);
    for (const [name, value] of Object.entries(values)) scope.set(name, value);
    return scope;
  }

  set(name: string, value: string): void {
    // A replaced (or deleted) value stays masked until clear(): it may still appear in output.
    this.values.set(name, value);
    for (const m of this.masks) m.add(value);
  }

  /** Removes this scope's own value (a parent's value of the same name is then visible again). */
  delete(name: string): boolean {
    return this.values.delete(name);
  }

  has(name: string): boolean {
    return this.values.has(name) || (this.parent?.has(name) ?? false);
  }

  /** Names with a value here or in a parent scope. */
  names(): string[] {
    return [...new Set([...this.values.keys(), ...(this.parent?.names() ?? [])])].sort();
  }

  /** Main-side use only (resolving *Ref settings); never exposed over the contract. */
  get(name: string): string | undefined {
    return this.values.get(name) ?? this.parent?.get(name);
  }

  /**
   * Forgets every value of this scope (the connection closed, the call or run ended) and stops
   * masking them — a value something else holds (a parent store, a pooled connection) stays masked.
   */
  clear(): void {
    this.values.clear();
    for (const m of this.masks) m.release();
  }
}
