/**
 * Parsing of the two SCRAM messages a server receives, with Kafka's grammar (ScramMessages):
 *   client-first: "n," ["a=" authzid] "," ["m=" value ","] "n=" saslname ",r=" nonce ["," ext]*
 *   client-final: "c=" base64 ",r=" nonce ["," ext]* ",p=" base64
 * Only gs2 header "n" (no channel binding) is accepted, as in Kafka. Java's character classes
 * with `&&` intersections are spelled out as ranges here. Inputs are bounded by the caller
 * (sasl.server.max.receive.size), and every pattern is linear in the input length.
 */
import { SaslError } from './sasl-errors.js';

const VALUE = '[\\x01-\\x2B\\x2D-\\x7F]+'; // any ASCII but NUL and ','
const PRINTABLE = '[\\x21-\\x2B\\x2D-\\x7E]+'; // printable ASCII but ','
const SASLNAME = '(?:[\\x01-\\x2B\\x2D-\\x3C\\x3E-\\x7F]|=2C|=3D)+'; // no bare ',' or '='
const BASE64_CHAR = '[a-zA-Z0-9/+]';
const BASE64 = `(?:${BASE64_CHAR}{4})*(?:${BASE64_CHAR}{3}=|${BASE64_CHAR}{2}==)?`;
const RESERVED = `(?:m=${VALUE},)?`;
const EXTENSIONS = `(?:,[A-Za-z]+=${VALUE})*`;

const CLIENT_FIRST = new RegExp(
  `^n,(?:a=(?<authzid>${SASLNAME}))?,${RESERVED}n=(?<saslname>${SASLNAME}),r=(?<nonce>${PRINTABLE})(?<extensions>${EXTENSIONS})$`,
);
const CLIENT_FINAL = new RegExp(`^c=(?<channel>${BASE64}),r=(?<nonce>${PRINTABLE})${EXTENSIONS},p=(?<proof>${BASE64})$`);

export interface ClientFirstMessage {
  readonly authorizationId: string;
  readonly saslName: string;
  readonly nonce: string;
  /** name -> value; only "tokenauth" means anything to Kafka (delegation tokens). */
  readonly extensions: ReadonlyMap<string, string>;
  /** client-first-message-bare as Kafka rebuilds it for the AuthMessage. */
  readonly bare: string;
}

export interface ClientFinalMessage {
  readonly channelBinding: Buffer;
  readonly nonce: string;
  readonly proof: Buffer;
  readonly withoutProof: string;
}

function parseExtensions(s: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of s.split(',')) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    map.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return map;
}

export function parseClientFirst(bytes: Buffer): ClientFirstMessage {
  const message = bytes.toString('utf8');
  const m = CLIENT_FIRST.exec(message);
  if (!m?.groups) throw new SaslError(`Invalid SCRAM client first message format: ${message}`);
  const { authzid, saslname, nonce, extensions } = m.groups as Record<string, string | undefined>;
  const ext = parseExtensions(extensions ?? '');
  // Kafka's clientFirstMessageBare(): "n=<saslname>,r=<nonce>" then the extensions, in map order.
  const extStr = [...ext].map(([k, v]) => `${k}=${v}`).join(',');
  const bare = `n=${saslname!},r=${nonce!}` + (extStr.length > 0 ? `,${extStr}` : '');
  return { authorizationId: authzid ?? '', saslName: saslname!, nonce: nonce!, extensions: ext, bare };
}

export function parseClientFinal(bytes: Buffer): ClientFinalMessage {
  const message = bytes.toString('utf8');
  const m = CLIENT_FINAL.exec(message);
  if (!m?.groups) throw new SaslError(`Invalid SCRAM client final message format: ${message}`);
  const { channel, nonce, proof } = m.groups as Record<string, string>;
  return {
    channelBinding: Buffer.from(channel!, 'base64'),
    nonce: nonce!,
    proof: Buffer.from(proof!, 'base64'),
    withoutProof: `c=${channel!},r=${nonce!}`,
  };
}

export function serverFirstMessage(nonce: string, salt: Buffer, iterations: number): string {
  return `r=${nonce},s=${salt.toString('base64')},i=${iterations}`;
}

export function serverFinalMessage(serverSignature: Buffer): string {
  return `v=${serverSignature.toString('base64')}`;
}
