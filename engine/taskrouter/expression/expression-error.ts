/**
 * The one error the expression parser throws. `position` is the 0-based index into the source
 * where parsing failed; the message counts characters from 1, as a reader does, so that it can be
 * shown to a user as it is (a REST 400).
 */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  readonly position: number;
  readonly reason: string;

  constructor(position: number, reason: string) {
    super(`Invalid expression at character ${position + 1}: ${reason}`);
    this.position = position;
    this.reason = reason;
  }
}
