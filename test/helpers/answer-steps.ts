// What the recorded-answer step modules (test/e2e/*-steps.ts) share: a step and its answer, a
// poll that waits for a fresh Kafka to settle, and answers made comparable as JSON.

export interface AnswerStep {
  readonly step: string;
  readonly answer: unknown;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` (a fresh Kafka loads its coordinators and topics through its metadata log). */
export async function settled(what: string, probe: () => Promise<boolean>, tries = 300): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await probe()) return;
    await pause(200);
  }
  throw new Error(`did not settle: ${what}`);
}

/** The answer as JSON compares it: no empty tagged fields, bigints as strings. */
export function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (k, v: unknown) => (k === '_unknownTaggedFields' ? undefined : typeof v === 'bigint' ? v.toString() : v)));
}
