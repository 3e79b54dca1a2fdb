/**
 * Waiting for broker state that has no event of its own (a fetch parked on a partition, a
 * listener gone): `until` resolves as soon as `condition()` holds, looking again every 5 ms. It
 * replaces a fixed sleep before a check, which passes or fails by luck on a loaded machine.
 * The bound (default 30 s) is only there to fail instead of hanging; what is awaited takes
 * milliseconds, so even a 2-core machine under full load stays far below it. The condition may
 * be asynchronous (a control API request). Resolves with the milliseconds it waited.
 */
export async function until(what: string, condition: () => boolean | Promise<boolean>, boundMs = 30_000): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > boundMs) throw new Error(`gave up after ${boundMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return Date.now() - started;
}
