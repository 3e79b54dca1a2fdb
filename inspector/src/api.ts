/** The inspector's JSON API (/ui/api/...) and the control API beside it (/faults, /clock, /reset). */
export async function get<T>(path: string): Promise<T> {
  const r = await fetch(path, { headers: { accept: 'application/json' } });
  const body = (await r.json()) as T & { message?: string };
  if (!r.ok) throw new Error(body.message ?? `${r.status} ${r.statusText}`);
  return body;
}

export async function send<T>(method: string, path: string, body?: unknown): Promise<T | null> {
  const r = await fetch(path, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  const parsed = text === '' ? null : (JSON.parse(text) as T & { message?: string });
  if (!r.ok) throw new Error((parsed as { message?: string } | null)?.message ?? `${r.status} ${r.statusText}`);
  return parsed;
}

export interface TraceEntry {
  seq: number;
  time: number;
  api: string;
  apiKey: number;
  version: number;
  clientId: string | null;
  connection: string;
  topics: string[];
  summary: string;
  errorCode: number | null;
  ms: number | null;
}

/** One EventSource for the page: "tick" each sample, "trace" with new requests. */
export function live(onTick: () => void, onTrace: (e: TraceEntry[]) => void, onState: (up: boolean) => void): EventSource {
  const es = new EventSource('/ui/api/events');
  es.addEventListener('tick', () => onTick());
  es.addEventListener('trace', (e) => onTrace(JSON.parse((e as MessageEvent<string>).data) as TraceEntry[]));
  es.addEventListener('open', () => onState(true));
  es.addEventListener('error', () => onState(false));
  return es;
}
