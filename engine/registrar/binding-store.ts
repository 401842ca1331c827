import type { Binding } from './registrar.js';

/**
 * Where bindings live (RFC 3261 §10.3: the location service). Bindings are
 * keyed by username and Contact URI; the store keeps what it is given and
 * leaves expiry to the registrar, so a shared store can come later.
 */
export interface BindingStore {
  /** The user's bindings, expired ones included, in no particular order. */
  list(username: string): Binding[];
  /** Replaces the user's whole set of bindings (empty removes the user). */
  replace(username: string, bindings: readonly Binding[]): void;
  /** Usernames that have at least one binding. */
  usernames(): string[];
  /** Bindings held, all users together. */
  readonly size: number;
}

export class MemoryBindingStore implements BindingStore {
  private readonly byUser = new Map<string, Binding[]>();
  private count = 0;

  list(username: string): Binding[] {
    return [...(this.byUser.get(username) ?? [])];
  }

  replace(username: string, bindings: readonly Binding[]): void {
    this.count -= this.byUser.get(username)?.length ?? 0;
    if (bindings.length === 0) {
      this.byUser.delete(username);
      return;
    }
    this.byUser.set(username, [...bindings]);
    this.count += bindings.length;
  }

  usernames(): string[] {
    return [...this.byUser.keys()];
  }

  get size(): number {
    return this.count;
  }
}
