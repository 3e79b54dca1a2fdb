/**
 * `start --trace`: where the request trace goes (stderr, or --trace-file as an append stream) and
 * which requests it keeps (--trace-api, --trace-client-id, --trace-topic; each repeatable or
 * comma-separated). Lines are readable, or NDJSON with --json. The sink drops lines rather than
 * buffer without bound when the output cannot keep up (server/net/trace.ts).
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { streamSink } from '../server/net/trace.js';
import type { TraceOptions } from '../server/net/trace.js';
import { apiInfoByKey } from '../protocol/messages/api-table.js';
import { UsageError, didYouMean } from './args.js';

export interface TraceArgs {
  readonly trace: boolean;
  readonly traceFile?: string;
  readonly traceApi: readonly string[];
  readonly traceClientId: readonly string[];
  readonly traceTopic: readonly string[];
  readonly json: boolean;
}

export interface OpenTrace {
  readonly options: TraceOptions;
  /** Flushes and closes the file (nothing for stderr). */
  close(): Promise<void>;
}

function list(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/** API names as Kafka spells them ("Produce", "ApiVersions"); a key number is taken as is. */
function checkApis(names: readonly string[]): (string | number)[] {
  const known = [...apiInfoByKey.values()].map((a) => a.name);
  const lower = new Map(known.map((n) => [n.toLowerCase(), n]));
  return names.map((n) => {
    if (/^\d+$/.test(n)) return Number(n);
    const name = lower.get(n.toLowerCase());
    if (name === undefined) throw new UsageError(`--trace-api: unknown API '${n}'${didYouMean(n, known)}`);
    return name;
  });
}

export async function openTrace(a: TraceArgs): Promise<OpenTrace | null> {
  const filtered = a.traceApi.length + a.traceClientId.length + a.traceTopic.length > 0;
  if (!a.trace && a.traceFile === undefined) {
    if (filtered) throw new UsageError('--trace-api, --trace-client-id and --trace-topic filter the trace: add --trace or --trace-file');
    return null;
  }
  const apis = checkApis(list(a.traceApi));
  let out: Writable = process.stderr;
  let close = async (): Promise<void> => {};
  if (a.traceFile !== undefined) {
    const file = createWriteStream(a.traceFile, { flags: 'a' });
    await new Promise<void>((resolve, reject) => {
      file.once('open', () => resolve());
      file.once('error', (e) => reject(new UsageError(`--trace-file ${a.traceFile}: ${e.message}`)));
    });
    file.on('error', (e) => process.stderr.write(`minikafka: --trace-file ${a.traceFile}: ${e.message}\n`));
    out = file;
    close = () => new Promise<void>((resolve) => file.end(() => resolve()));
  }
  const { sink } = streamSink(out, { json: a.json });
  return { options: { sink, apis, clientIds: list(a.traceClientId), topics: list(a.traceTopic) }, close };
}
