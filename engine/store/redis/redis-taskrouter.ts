import type { TaskRouterRecord } from '../../taskrouter/records.js';
import { recordWorkspace, type TaskRouterStore } from '../taskrouter-store.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisRecords } from './redis-records.js';

/** TaskRouter's records in Redis: a hash a workspace (`taskrouter:{WorkspaceSid}`, field = sid) and the set of workspaces. */
export class RedisTaskRouterStore implements TaskRouterStore {
  constructor(
    private readonly r: RedisRecords,
    private readonly keys: RedisKeys,
  ) {}

  put(record: TaskRouterRecord): void {
    const ws = recordWorkspace(record);
    const key = this.keys.taskRouterWorkspace(ws);
    this.r.write(key, this.r.client.hset(key, record.sid, JSON.stringify(record)));
    if (record.kind === 'workspace') this.r.write(this.keys.taskRouterWorkspaces(), this.r.client.sadd(this.keys.taskRouterWorkspaces(), ws));
  }

  remove(workspaceSid: string, sid: string): void {
    const key = this.keys.taskRouterWorkspace(workspaceSid);
    this.r.write(key, this.r.client.hdel(key, sid));
  }

  removeWorkspace(workspaceSid: string): void {
    this.r.write(workspaceSid, this.r.client.del(this.keys.taskRouterWorkspace(workspaceSid)));
    this.r.write(workspaceSid, this.r.client.srem(this.keys.taskRouterWorkspaces(), workspaceSid));
  }

  load(): Promise<TaskRouterRecord[]> {
    return this.r.read('taskrouter', async () => {
      const sids = await this.r.client.smembers(this.keys.taskRouterWorkspaces());
      const out: TaskRouterRecord[] = [];
      for (const ws of sids) {
        const all = await this.r.client.hvals(this.keys.taskRouterWorkspace(ws));
        for (const v of all) out.push(JSON.parse(v) as TaskRouterRecord);
      }
      return out;
    });
  }
}
