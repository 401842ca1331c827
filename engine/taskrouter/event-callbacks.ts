import type { Logger } from 'pino';
import type { WebhookTransport } from '../webhooks/http-transport.js';
import type { EventRecord, WorkspaceRecord } from './records.js';

/**
 * Sends a workspace's events to its EventCallbackUrl (POST, signed with the
 * account's auth token, Twilio's parameters), those its EventsFilter names
 * or all. A failed delivery is logged, once a minute per workspace at most.
 */
export class EventCallbacks {
  private readonly lastFailure = new Map<string, number>();

  constructor(
    private readonly transport: WebhookTransport,
    private readonly authTokenFor: (accountSid: string) => string | undefined,
    private readonly log: Logger,
  ) {}

  send(workspace: WorkspaceRecord, e: EventRecord): void {
    const url = workspace.eventCallbackUrl;
    if (url === undefined || url === '') return;
    if (workspace.eventsFilter && !workspace.eventsFilter.includes(e.eventType)) return;
    const authToken = this.authTokenFor(workspace.accountSid);
    if (authToken === undefined) return;
    const params: Record<string, string> = {
      Sid: e.sid,
      EventType: e.eventType,
      EventDescription: e.description,
      AccountSid: e.accountSid,
      WorkspaceSid: workspace.sid,
      WorkspaceName: workspace.friendlyName,
      ResourceType: e.resourceType,
      ResourceSid: e.resourceSid,
      Timestamp: String(Math.floor(e.eventDate / 1000)),
      TimestampMs: String(e.eventDate),
      ...e.data,
    };
    void this.transport.send({ url, method: 'POST', params, authToken }).then((outcome) => {
      const failed = 'error' in outcome ? outcome.error.message : outcome.response.status >= 400 ? `HTTP status ${outcome.response.status}` : undefined;
      if (failed === undefined) return;
      const last = this.lastFailure.get(workspace.sid) ?? 0;
      if (Date.now() - last < 60_000) return;
      this.lastFailure.set(workspace.sid, Date.now());
      this.log.warn({ workspaceSid: workspace.sid, url, eventType: e.eventType, reason: failed }, 'a TaskRouter event callback failed');
    });
  }
}
