import { ErrorCode } from '../api/api-errors.js';
import { ApiError, type RecordingFilter, type RecordingRecord, type RecordingService } from '../api/call-service.js';
import type { Page, PageRequest } from '../api/paging.js';
import { recordingPath } from '../http/recordings-route.js';
import type { RecordingRecordStore } from '../store/types.js';
import { removeRecordingFiles } from './recording-files.js';

/** A recording in one of these states is over (in progress, paused or stopped while its call runs, it is not). */
const DONE: ReadonlySet<RecordingRecord['status']> = new Set(['completed', 'absent', 'failed']);

/**
 * The recordings the engine made, for the REST API: their records in the
 * store (engine/store/), their audio in the recordings directory.
 */
export class RecordingStore implements RecordingService {
  constructor(
    private readonly dir: string,
    private readonly records: RecordingRecordStore,
  ) {}

  add(record: RecordingRecord): void {
    this.records.put(record);
  }

  list(accountSid: string, filter: RecordingFilter, page: PageRequest): Promise<Page<RecordingRecord>> {
    return this.records.list(accountSid, filter, page);
  }

  async get(accountSid: string, recordingSid: string): Promise<RecordingRecord | undefined> {
    const r = await this.records.get(recordingSid);
    return r && r.accountSid === accountSid ? r : undefined;
  }

  audioPath(recordingSid: string): string {
    return recordingPath(this.dir, recordingSid);
  }

  /** The audio files go first: when they cannot be removed, the record stays for another try. */
  async delete(accountSid: string, recordingSid: string): Promise<boolean> {
    const r = await this.get(accountSid, recordingSid);
    if (!r) return false;
    if (!DONE.has(r.status)) throw new ApiError(400, ErrorCode.DeleteBeforeComplete, 'Cannot delete this resource before it is complete');
    await removeRecordingFiles(this.audioPath(recordingSid));
    return this.records.delete(recordingSid);
  }
}
