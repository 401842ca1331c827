import type { Dialog } from './dialog.js';

/**
 * All live dialogs, found by drachtio's dialog id (what applications name)
 * and by Call-ID plus both tags (what in-dialog requests from the network
 * carry, §12.2.2).
 */
export class DialogStore {
  private readonly byId = new Map<string, Dialog>();
  private readonly byTags = new Map<string, Dialog>();
  /** Called once for each dialog that leaves the store (its timers are stopped there). */
  onDelete?: (d: Dialog) => void;

  add(d: Dialog): void {
    this.byId.set(d.id, d);
    this.byTags.set(tagKey(d.callId, d.localTag, d.remoteTag), d);
  }

  get(id: string): Dialog | undefined {
    return this.byId.get(id);
  }

  /** The dialog an incoming request belongs to: its To tag is our tag, its From tag theirs. */
  match(callId: string, localTag: string, remoteTag: string): Dialog | undefined {
    return this.byTags.get(tagKey(callId, localTag, remoteTag));
  }

  /** Any dialog with this Call-ID (used to route a request the application sends with a known Call-ID). */
  findByCallId(callId: string): Dialog | undefined {
    for (const d of this.byId.values()) if (d.callId === callId) return d;
    return undefined;
  }

  delete(d: Dialog): void {
    const known = this.byId.get(d.id) === d;
    if (known) this.byId.delete(d.id);
    const key = tagKey(d.callId, d.localTag, d.remoteTag);
    if (this.byTags.get(key) === d) this.byTags.delete(key);
    if (known) this.onDelete?.(d);
  }

  ownedBy(ownerId: string): Dialog[] {
    return [...this.byId.values()].filter((d) => d.ownerId === ownerId);
  }

  get size(): number {
    return this.byId.size;
  }
}

function tagKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\u0000${localTag}\u0000${remoteTag}`;
}
