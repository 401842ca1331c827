import { randomBytes } from 'node:crypto';
import type { Binding } from '../../registrar/registrar.js';
import type { RegistrationStore, SharedSecrets } from '../types.js';
import type { Db } from './sqlite-database.js';
import type { WriteBehind } from './write-behind.js';

/** Registrations in the embedded database, so that phones stay registered across a restart. */
export class SqliteRegistrations implements RegistrationStore {
  private readonly upsert;
  private readonly remove;
  private readonly one;
  private readonly every;

  constructor(
    db: Db,
    private readonly writes: WriteBehind,
  ) {
    this.upsert = db.prepare<[string, string]>('INSERT INTO registrations (username, data) VALUES (?, ?) ON CONFLICT (username) DO UPDATE SET data = excluded.data');
    this.remove = db.prepare<[string]>('DELETE FROM registrations WHERE username = ?');
    this.one = db.prepare<[string]>('SELECT data FROM registrations WHERE username = ?').pluck();
    this.every = db.prepare<[]>('SELECT username, data FROM registrations');
  }

  all(): Promise<Map<string, Binding[]>> {
    this.writes.flush();
    const rows = this.every.all() as { username: string; data: string }[];
    return Promise.resolve(new Map(rows.map((r) => [r.username, JSON.parse(r.data) as Binding[]])));
  }

  get(username: string): Promise<Binding[]> {
    this.writes.flush();
    const data = this.one.get(username) as string | undefined;
    return Promise.resolve(data === undefined ? [] : (JSON.parse(data) as Binding[]));
  }

  put(username: string, bindings: readonly Binding[]): void {
    this.writes.add(`registration:${username}`, () => (bindings.length === 0 ? this.remove.run(username) : this.upsert.run(username, JSON.stringify(bindings))));
  }
}

/** Secrets kept in the database: the nonce key survives a restart, so phones' nonces stay good. */
export class SqliteSecrets implements SharedSecrets {
  private readonly insert;
  private readonly read;

  constructor(db: Db) {
    this.insert = db.prepare<[string, Buffer]>('INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING');
    this.read = db.prepare<[string]>('SELECT value FROM secrets WHERE name = ?').pluck();
  }

  get(name: string): Promise<Buffer> {
    this.insert.run(name, randomBytes(32));
    return Promise.resolve(this.read.get(name) as Buffer);
  }
}
