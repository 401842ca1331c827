/** URLs and timestamps of TaskRouter's v1 answers. */

/** Twilio's v1 timestamp: ISO 8601 in UTC to the second, e.g. 2026-12-07T21:00:00Z. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : iso(ms);
}

/** `${base}/v1/Workspaces` */
export function workspacesUrl(base: string): string {
  return `${base}/v1/Workspaces`;
}

/** `${base}/v1/Workspaces/{sid}` followed by the given path segments. */
export function wsUrl(base: string, workspaceSid: string, ...segments: string[]): string {
  let url = `${workspacesUrl(base)}/${encodeURIComponent(workspaceSid)}`;
  for (const s of segments) url += `/${encodeURIComponent(s)}`;
  return url;
}

/** The path part of a workspace URL (for paging links, made absolute later). */
export function wsPath(workspaceSid: string, ...segments: string[]): string {
  return wsUrl('', workspaceSid, ...segments);
}
