import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The embedded store's database: one SQLite file (better-sqlite3) under
 * dataDir, in WAL mode so that a crash loses at most the last batch that
 * had not been written, never the file. The schema is versioned with
 * `user_version`; each step below runs once, in order.
 */

export type Db = Database.Database;

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE calls (
     sid TEXT PRIMARY KEY,
     account_sid TEXT NOT NULL,
     created_ms INTEGER NOT NULL,
     status TEXT NOT NULL,
     final INTEGER NOT NULL,
     to_address TEXT NOT NULL,
     from_address TEXT NOT NULL,
     parent_call_sid TEXT,
     engine_id TEXT NOT NULL,
     ended_ms INTEGER,
     data TEXT NOT NULL
   );
   CREATE INDEX calls_by_account ON calls (account_sid, created_ms, sid);
   CREATE INDEX calls_unfinished ON calls (final, engine_id);
   CREATE TABLE recordings (
     sid TEXT PRIMARY KEY,
     account_sid TEXT NOT NULL,
     call_sid TEXT NOT NULL,
     created_ms INTEGER NOT NULL,
     data TEXT NOT NULL
   );
   CREATE INDEX recordings_by_account ON recordings (account_sid, created_ms, sid);`,
  `CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_ms INTEGER NOT NULL);
   CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);`,
  `CREATE TABLE registrations (username TEXT PRIMARY KEY, data TEXT NOT NULL);
   CREATE TABLE secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL);`,
  `CREATE TABLE conferences (
     sid TEXT PRIMARY KEY,
     account_sid TEXT NOT NULL,
     created_ms INTEGER NOT NULL,
     updated_ms INTEGER NOT NULL,
     status TEXT NOT NULL,
     friendly_name TEXT NOT NULL,
     data TEXT NOT NULL
   );
   CREATE INDEX conferences_by_account ON conferences (account_sid, created_ms, sid);`,
  // Call queue definitions (engine/queues/queue-record.ts): unique by name within an account.
  `CREATE TABLE queues (
     sid TEXT PRIMARY KEY,
     account_sid TEXT NOT NULL,
     friendly_name TEXT NOT NULL,
     created_ms INTEGER NOT NULL,
     data TEXT NOT NULL,
     UNIQUE (account_sid, friendly_name)
   );
   CREATE INDEX queues_by_account ON queues (account_sid, created_ms, sid);`,
  // TaskRouter's records (engine/taskrouter/records.ts), by workspace.
  `CREATE TABLE taskrouter (
     workspace_sid TEXT NOT NULL,
     sid TEXT NOT NULL,
     kind TEXT NOT NULL,
     data TEXT NOT NULL,
     PRIMARY KEY (workspace_sid, sid)
   );`,
  // Each call's debugging log (engine/call-log/): its webhooks and notifications, in the order written.
  `CREATE TABLE call_log (
     seq INTEGER PRIMARY KEY,
     call_sid TEXT NOT NULL,
     at_ms INTEGER NOT NULL,
     data TEXT NOT NULL
   );
   CREATE INDEX call_log_by_call ON call_log (call_sid, seq);
   CREATE INDEX call_log_by_time ON call_log (at_ms);`,
  // TaskRouter's records and events as logs (engine/store/embedded/sqlite-taskrouter.ts): a row holds the
  // changes of one write, a JSON array (a record's latest row wins at load; a row nothing lives in goes),
  // and the events likewise, the oldest rows going as a range. What the previous schema stored moves over,
  // one row a workspace.
  `CREATE TABLE taskrouter_log (
     id INTEGER PRIMARY KEY,
     workspace_sid TEXT NOT NULL,
     data TEXT NOT NULL
   );
   CREATE INDEX taskrouter_log_by_workspace ON taskrouter_log (workspace_sid, id);
   CREATE TABLE taskrouter_events (
     id INTEGER PRIMARY KEY,
     workspace_sid TEXT NOT NULL,
     count INTEGER NOT NULL,
     data TEXT NOT NULL
   );
   CREATE INDEX taskrouter_events_by_workspace ON taskrouter_events (workspace_sid, id);
   INSERT INTO taskrouter_log (workspace_sid, data)
     SELECT workspace_sid, json_group_array(json(data)) FROM taskrouter WHERE kind != 'event' GROUP BY workspace_sid;
   INSERT INTO taskrouter_events (workspace_sid, count, data)
     SELECT workspace_sid, count(*), json_group_array(json(data))
     FROM (SELECT workspace_sid, data FROM taskrouter WHERE kind = 'event' ORDER BY workspace_sid, json_extract(data, '$.eventDate'))
     GROUP BY workspace_sid;
   DELETE FROM taskrouter;`,
];

/** Opens (creating when missing) the database at `file`, ':memory:' for one that lives with the process. */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // With WAL, NORMAL syncs at checkpoints only: a power cut may lose the last commits, never corrupt the file.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const version = Number(db.pragma('user_version', { simple: true }));
  if (version > MIGRATIONS.length) {
    db.close();
    throw new Error(`${file} was written by a newer dialtone (schema ${version}, this one knows ${MIGRATIONS.length})`);
  }
  for (let step = version; step < MIGRATIONS.length; step++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[step] as string);
      db.pragma(`user_version = ${step + 1}`);
    })();
  }
  return db;
}
