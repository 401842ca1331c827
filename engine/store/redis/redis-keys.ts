/**
 * The Redis keys of the stores, all under one prefix (store.keyPrefix,
 * `dialtone` by default). engine/store/README.md lists them.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  call(sid: string): string {
    return `${this.prefix}:call:${sid}`;
  }
  /** Sorted set of an account's call sids by creation time. */
  accountCalls(accountSid: string): string {
    return `${this.prefix}:calls:${accountSid}`;
  }
  /** Set of the sids of an engine's calls not in a final state. */
  unfinishedCalls(engineId: string): string {
    return `${this.prefix}:calls-unfinished:${engineId}`;
  }
  /** Set of the engines that have (or had) unfinished calls. */
  enginesWithCalls(): string {
    return `${this.prefix}:engines-with-calls`;
  }
  recording(sid: string): string {
    return `${this.prefix}:recording:${sid}`;
  }
  accountRecordings(accountSid: string): string {
    return `${this.prefix}:recordings:${accountSid}`;
  }
  /** List of a call's debugging log entries (engine/call-log/), oldest first, expiring with the call records. */
  callLog(callSid: string): string {
    return `${this.prefix}:call-log:${callSid}`;
  }
  conference(sid: string): string {
    return `${this.prefix}:conference:${sid}`;
  }
  accountConferences(accountSid: string): string {
    return `${this.prefix}:conferences:${accountSid}`;
  }
  /** Set of the sids of the conferences an engine holds that have not ended. */
  unfinishedConferences(engineId: string): string {
    return `${this.prefix}:conferences-unfinished:${engineId}`;
  }
  /** Hash of an account's queues: `sid:{QueueSid}` -> record, `name:{FriendlyName}` -> sid. */
  accountQueues(accountSid: string): string {
    return `${this.prefix}:queues:${accountSid}`;
  }
  /** Hash of a TaskRouter workspace's records, field = the record's sid. */
  taskRouterWorkspace(workspaceSid: string): string {
    return `${this.prefix}:taskrouter:${workspaceSid}`;
  }
  /** Set of the TaskRouter workspaces' sids. */
  taskRouterWorkspaces(): string {
    return `${this.prefix}:taskrouter-workspaces`;
  }
  lease(name: string): string {
    return `${this.prefix}:lease:${name}`;
  }
  counter(name: string): string {
    return `${this.prefix}:counter:${name}`;
  }
  registration(username: string): string {
    return `${this.prefix}:registration:${username}`;
  }
  /** Set of the users with bindings. */
  registrationUsers(): string {
    return `${this.prefix}:registrations`;
  }
  nonce(nonce: string): string {
    return `${this.prefix}:nonce:${nonce}`;
  }
  secret(name: string): string {
    return `${this.prefix}:secret:${name}`;
  }
}
