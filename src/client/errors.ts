/**
 * The client's errors. A broker's answer carrying a Kafka error code is a `KafkaResponseError`
 * (named as in Kafka's Errors.java); not reaching a broker, or no answer in time, is a
 * `ConnectionError`. Callers tell them apart by class, scripts by the CLI's exit status.
 */
import { errorInfo } from '../protocol/errors.js';

export class KafkaResponseError extends Error {
  override readonly name = 'KafkaResponseError';
  readonly errorName: string;
  readonly retriable: boolean;

  constructor(
    readonly code: number,
    /** What was asked, e.g. "CreateTopics orders". */
    readonly context: string,
    brokerMessage?: string | null,
  ) {
    const info = errorInfo(code);
    super(`${context}: ${info.name}${brokerMessage ? ` (${brokerMessage})` : info.message ? ` (${info.message})` : ''}`);
    this.errorName = info.name;
    this.retriable = info.retriable;
  }
}

export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
}

/** Throws a KafkaResponseError unless `code` is NONE (0). */
export function check(code: number, context: string, message?: string | null): void {
  if (code !== 0) throw new KafkaResponseError(code, context, message);
}
