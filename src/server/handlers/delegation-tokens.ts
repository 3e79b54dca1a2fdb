/**
 * CreateDelegationToken (38, v1-3), RenewDelegationToken (39, v1-2), ExpireDelegationToken (40,
 * v1-2) and DescribeDelegationToken (41, v1-3), as Kafka answers them on a PLAINTEXT listener.
 *
 * KafkaApis refuses delegation token requests on connections that are not authenticated by SASL
 * (or SSL) before anything else: DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, whether or not token
 * authentication is enabled (DELEGATION_TOKEN_AUTH_DISABLED only comes after that check). minikafka
 * serves PLAINTEXT only, so every request gets that answer, with Kafka's empty fields:
 * timestamps -1, no token, and for Create the requester as owner (User:ANONYMOUS, v3+).
 * Checked against Kafka 4.4. Real tokens need SASL (the security issue).
 *
 * One module for the four APIs: they share the one answer and nothing else.
 */
import { CreateDelegationTokenApi } from '../../protocol/messages/create-delegation-token.js';
import { RenewDelegationTokenApi } from '../../protocol/messages/renew-delegation-token.js';
import { ExpireDelegationTokenApi } from '../../protocol/messages/expire-delegation-token.js';
import { DescribeDelegationTokenApi } from '../../protocol/messages/describe-delegation-token.js';
import type { CreateDelegationTokenResponse } from '../../protocol/messages/create-delegation-token.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';

const NOT_ALLOWED = ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED;

function created(errorCode: number, version: number): CreateDelegationTokenResponse {
  // The requester fields exist from v3 on.
  const requester = version >= 3;
  return {
    errorCode,
    principalType: 'User',
    principalName: 'ANONYMOUS',
    tokenRequesterPrincipalType: requester ? 'User' : '',
    tokenRequesterPrincipalName: requester ? 'ANONYMOUS' : '',
    issueTimestampMs: -1n,
    expiryTimestampMs: -1n,
    maxTimestampMs: -1n,
    tokenId: '',
    hmac: Buffer.alloc(0),
    throttleTimeMs: 0,
  };
}

export const createDelegationTokenHandler = defineHandler(CreateDelegationTokenApi, {
  minVersion: 1,
  handle: (ctx) => created(NOT_ALLOWED, ctx.apiVersion),
  errorResponse: (ctx, _req, code) => created(code, ctx.apiVersion),
});

export const renewDelegationTokenHandler = defineHandler(RenewDelegationTokenApi, {
  minVersion: 1,
  handle: () => ({ errorCode: NOT_ALLOWED, expiryTimestampMs: -1n, throttleTimeMs: 0 }),
  errorResponse: (_ctx, _req, code) => ({ errorCode: code, expiryTimestampMs: -1n, throttleTimeMs: 0 }),
});

export const expireDelegationTokenHandler = defineHandler(ExpireDelegationTokenApi, {
  minVersion: 1,
  handle: () => ({ errorCode: NOT_ALLOWED, expiryTimestampMs: -1n, throttleTimeMs: 0 }),
  errorResponse: (_ctx, _req, code) => ({ errorCode: code, expiryTimestampMs: -1n, throttleTimeMs: 0 }),
});

export const describeDelegationTokenHandler = defineHandler(DescribeDelegationTokenApi, {
  minVersion: 1,
  handle: () => ({ errorCode: NOT_ALLOWED, tokens: [], throttleTimeMs: 0 }),
  errorResponse: (_ctx, _req, code) => ({ errorCode: code, tokens: [], throttleTimeMs: 0 }),
});
