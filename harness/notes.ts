/**
 * The plain sentences a result carries on how to read it (`notes` in the JSON, shown by every
 * reporter): what was not checked, and how the client was driven.
 */

/** Said when no ledger was given: every figure on data loss comes from the client's own answers. */
export const NO_LEDGER_NOTE = 'no server ledger: data loss unchecked on the server side';

/** What a result's notes are made from. */
export interface NoteInputs {
  /** A ledger was asked for (`--ledger-url`, `upstream.ledger`). */
  ledgerGiven: boolean;
  /** Why reading it failed, if it did. */
  ledgerError?: string;
  /** The client was driven pass-through (its budget is in the result's `client.budget_ms`). */
  passThrough: boolean;
}

/** The notes of one result. */
export function resultNotes(inputs: NoteInputs): string[] {
  const notes: string[] = [];
  if (!inputs.ledgerGiven) notes.push(`${NO_LEDGER_NOTE} (data loss rests on the client's answers)`);
  else if (inputs.ledgerError !== undefined) notes.push(`server ledger unreadable (${inputs.ledgerError}): data loss unchecked on the server side`);
  if (inputs.passThrough) {
    notes.push(
      "client driven pass-through: 1 attempt per operation within the scenario's budget, no queue, no cache; " +
        'its retries, queues and caches are its own, and so are its outcomes',
    );
  }
  return notes;
}
