/**
 * Dates as Twilio's 2010-04-01 API writes them: RFC 2822 section 3.3
 * date-time in UTC with a numeric zone, e.g. "Tue, 31 Aug 2010 20:36:28 +0000".
 */
export function toRfc2822(date: Date | undefined): string | null {
  if (date === undefined || Number.isNaN(date.getTime())) return null;
  // toUTCString gives "Tue, 31 Aug 2010 20:36:28 GMT" (RFC 7231 IMF-fixdate);
  // RFC 2822 3.3 prefers the numeric zone "+0000" to the obsolete "GMT".
  return date.toUTCString().replace(/ GMT$/, ' +0000');
}
