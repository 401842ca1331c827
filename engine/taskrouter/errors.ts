/**
 * A request TaskRouter refuses: the REST API answers it with `status` and
 * Twilio's `code` (20001 a bad parameter, 20404 not found, 20001 a state
 * that forbids it) and the message as it is.
 */
export class TaskRouterError extends Error {
  override readonly name = 'TaskRouterError';
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const invalid = (message: string): TaskRouterError => new TaskRouterError(400, 20001, message);
export const missing = (what: string): TaskRouterError => new TaskRouterError(404, 20404, `The requested resource ${what} was not found`);
