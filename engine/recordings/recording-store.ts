import type { RecordingFilter, RecordingRecord, RecordingService } from '../api/call-service.js';
import type { Page, PageRequest } from '../api/paging.js';
import { recordingPath } from '../http/recordings-route.js';
import type { RecordingRecordStore } from '../store/types.js';

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
}
