import type { RecordingRecord, RecordingService } from '../api/call-service.js';
import { recordingPath } from '../http/recordings-route.js';

/** Recordings remembered by default (their files stay on disk regardless). */
export const DEFAULT_RECORDING_HISTORY = 10_000;

/**
 * The recordings the engine made, newest last, for the REST API. In memory
 * for one process, like the call store; the files themselves live in the
 * recordings directory.
 */
export class MemoryRecordingStore implements RecordingService {
  private readonly recordings = new Map<string, RecordingRecord>();

  constructor(
    private readonly dir: string,
    private readonly max = DEFAULT_RECORDING_HISTORY,
  ) {}

  add(record: RecordingRecord): void {
    this.recordings.set(record.sid, record);
    while (this.recordings.size > this.max) {
      const oldest = this.recordings.keys().next().value;
      if (oldest === undefined) break;
      this.recordings.delete(oldest);
    }
  }

  list(accountSid: string, filter: { callSid?: string; createdAfter?: Date; createdBefore?: Date }): Promise<RecordingRecord[]> {
    const out = [...this.recordings.values()].filter(
      (r) =>
        r.accountSid === accountSid &&
        (filter.callSid === undefined || r.callSid === filter.callSid) &&
        (filter.createdAfter === undefined || r.dateCreated >= filter.createdAfter) &&
        (filter.createdBefore === undefined || r.dateCreated < filter.createdBefore),
    );
    return Promise.resolve(out.reverse());
  }

  get(accountSid: string, recordingSid: string): Promise<RecordingRecord | undefined> {
    const r = this.recordings.get(recordingSid);
    return Promise.resolve(r && r.accountSid === accountSid ? r : undefined);
  }

  audioPath(recordingSid: string): string | undefined {
    return this.recordings.has(recordingSid) ? recordingPath(this.dir, recordingSid) : undefined;
  }
}
