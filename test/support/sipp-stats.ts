/**
 * Reads the final line of SIPp's -trace_stat CSV (';'-separated, a header
 * line naming the counters, one line per dump; the last is written on exit).
 */

export interface SippStats {
  totalCalls: number;
  successfulCalls: number;
  failedCalls: number;
  /** Messages SIPp retransmitted plus retransmissions it received and absorbed. */
  retransmissions: number;
  failedUnexpectedMessage: number;
  failedTimeoutOnRecv: number;
  failedMaxUdpRetrans: number;
  outOfCallMessages: number;
  deadCallMessages: number;
  /** Every counter by its CSV column name. */
  raw: Record<string, string>;
}

export function parseSippStats(csv: string): SippStats | undefined {
  const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) return undefined;
  const names = (lines[0] ?? '').split(';');
  const values = (lines[lines.length - 1] ?? '').split(';');
  const raw: Record<string, string> = {};
  names.forEach((name, i) => {
    if (name !== '') raw[name] = values[i] ?? '';
  });
  const count = (name: string): number => {
    const n = Number(raw[name]);
    return Number.isFinite(n) ? n : 0;
  };
  return {
    totalCalls: count('TotalCallCreated'),
    successfulCalls: count('SuccessfulCall(C)'),
    failedCalls: count('FailedCall(C)'),
    retransmissions: count('Retransmissions(C)'),
    failedUnexpectedMessage: count('FailedUnexpectedMessage(C)'),
    failedTimeoutOnRecv: count('FailedTimeoutOnRecv(C)'),
    failedMaxUdpRetrans: count('FailedMaxUDPRetrans(C)'),
    outOfCallMessages: count('OutOfCallMsgs(C)'),
    deadCallMessages: count('DeadCallMsgs(C)'),
    raw,
  };
}
