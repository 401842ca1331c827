import { InstructionError, parseInstructions } from '../../instructions/index.js';

/** The InstructionError a document fails with (fails the test when it parses, or fails otherwise). */
export function parseErrorOf(xml: string, baseUrl: string): InstructionError {
  try {
    parseInstructions(xml, { baseUrl });
  } catch (err) {
    if (err instanceof InstructionError) return err;
    throw err;
  }
  throw new Error(`no error for ${xml}`);
}
