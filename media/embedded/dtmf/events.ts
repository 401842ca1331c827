/** RFC 4733 §3.2: DTMF named events 0-15. */
const DIGITS = '0123456789*#ABCD';

export function eventToDigit(event: number): string | undefined {
  return event >= 0 && event < 16 ? DIGITS[event] : undefined;
}

export function digitToEvent(digit: string): number | undefined {
  const i = DIGITS.indexOf(digit.toUpperCase());
  return i >= 0 && digit.length === 1 ? i : undefined;
}

export function isDtmfDigit(digit: string): boolean {
  return digitToEvent(digit) !== undefined;
}
