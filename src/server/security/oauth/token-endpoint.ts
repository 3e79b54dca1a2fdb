/**
 * The built-in OAuth token endpoint: what a Kafka client configured with
 * sasl.oauthbearer.token.endpoint.url and the OAuthBearerLoginCallbackHandler (client-credentials
 * grant) fetches its access token from, and the JWKS a broker verifies those tokens with.
 *
 *   POST /oauth2/token   grant_type=client_credentials [&scope=...], client id and secret in
 *                        HTTP Basic (RFC 6749 2.3.1: each form-urlencoded, as Kafka sends them
 *                        with ...header.urlencode=true; plain otherwise) or in the body
 *                        -> 200 { access_token, token_type: "Bearer", expires_in, scope? }
 *   GET  /oauth2/jwks    the issuer's JSON Web Key Set
 *
 * The token: RS256 from the TokenIssuer, `sub` = the client id, `aud` = the audience when set,
 * the scope asked for. Errors as RFC 6749 5.2: 400 invalid_request / unsupported_grant_type,
 * 401 invalid_client (a client id or secret the endpoint does not know). Kafka's client treats
 * 4xx as final and retries 5xx. Plain HTTP on loopback by default: it is for tests, as the
 * throwaway CA is.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { TokenIssuer } from './token-issuer.js';

export interface TokenEndpointOptions {
  readonly issuer: TokenIssuer;
  /** Client id -> secret of the clients allowed a token. */
  readonly clients: Readonly<Record<string, string>>;
  readonly audience?: string;
  /** Lifetime of issued tokens (default one hour). */
  readonly lifetimeMs?: number;
  /** Time for `iat`/`exp`: the broker's clock, so that virtual time and token validity agree. */
  readonly now: () => number;
  readonly host?: string;
  readonly port?: number;
}

export interface TokenEndpoint {
  /** e.g. http://127.0.0.1:PORT/oauth2/token */
  readonly tokenUrl: string;
  readonly jwksUrl: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024;
const TOKEN_PATH = '/oauth2/token';
const JWKS_PATH = '/oauth2/jwks';

function send(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** form-urlencoded value: '+' is a space (URLSearchParams' reading too). */
const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));

/** The client id and secret from HTTP Basic, read form-urlencoded (Kafka's default) or plain when that fails. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | null {
  const m = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (m === null) return null;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  const [id, secret] = [text.slice(0, colon), text.slice(colon + 1)];
  try {
    return { id: formDecode(id), secret: formDecode(secret) };
  } catch {
    return { id, secret };
  }
}

function sameSecret(given: string, known: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(known, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startTokenEndpoint(options: TokenEndpointOptions): Promise<TokenEndpoint> {
  const lifetimeMs = options.lifetimeMs ?? 3_600_000;
  const issueToken = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    if (body === null) return send(res, 400, { error: 'invalid_request', error_description: `body over ${MAX_BODY_BYTES} bytes` });
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'client_credentials') {
      return send(res, 400, { error: 'unsupported_grant_type', error_description: 'only client_credentials is served' });
    }
    const creds = basicCredentials(req.headers.authorization) ?? (form.has('client_id') ? { id: form.get('client_id')!, secret: form.get('client_secret') ?? '' } : null);
    const known = creds !== null && Object.hasOwn(options.clients, creds.id) ? options.clients[creds.id] : undefined;
    if (creds === null || known === undefined || !sameSecret(creds.secret, known)) {
      return send(res, 401, { error: 'invalid_client', error_description: 'unknown client or wrong secret' }, { 'www-authenticate': 'Basic realm="minikafka"' });
    }
    const scope = (form.get('scope') ?? '').split(' ').filter((s) => s.length > 0);
    const token = options.issuer.mint({
      subject: creds.id,
      nowMs: options.now(),
      lifetimeMs,
      ...(options.audience !== undefined ? { audience: options.audience } : {}),
      ...(scope.length > 0 ? { scope } : {}),
    });
    send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: Math.floor(lifetimeMs / 1000), ...(scope.length > 0 ? { scope: scope.join(' ') } : {}) });
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === TOKEN_PATH && req.method === 'POST') {
      issueToken(req, res).catch((err: unknown) => send(res, 500, { error: 'server_error', error_description: (err as Error).message }));
    } else if (path === JWKS_PATH && req.method === 'GET') {
      send(res, 200, options.issuer.jwks());
    } else {
      send(res, 404, { error: 'not_found', error_description: `${TOKEN_PATH} (POST) and ${JWKS_PATH} (GET) are served` });
    }
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    tokenUrl: base + TOKEN_PATH,
    jwksUrl: base + JWKS_PATH,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
