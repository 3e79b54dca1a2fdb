/**
 * SaslHandshake (key 17), v0-1, and SaslAuthenticate (key 36), v0-2, as KafkaApis answers them:
 * the SASL exchange itself never reaches a handler (the connection's SASL authenticator,
 * security/sasl/sasl-authenticator.ts, serves it before the connection is authenticated), so a
 * request that does arrive here came on an authenticated connection or a listener without SASL:
 * ILLEGAL_SASL_STATE, with Kafka's message for SaslAuthenticate. They are registered so that
 * ApiVersions advertises them, as Kafka does on every listener.
 */
import { SaslHandshakeApi } from '../../protocol/messages/sasl-handshake.js';
import { SaslAuthenticateApi } from '../../protocol/messages/sasl-authenticate.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';

export const saslHandshakeHandler = defineHandler(SaslHandshakeApi, {
  handle() {
    return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
  },
  errorResponse(_ctx, _req, code) {
    return { errorCode: code, mechanisms: [] };
  },
});

export const saslAuthenticateHandler = defineHandler(SaslAuthenticateApi, {
  handle() {
    return {
      errorCode: ErrorCode.ILLEGAL_SASL_STATE,
      errorMessage: 'SaslAuthenticate request received after successful authentication',
      authBytes: Buffer.alloc(0),
      sessionLifetimeMs: 0n,
    };
  },
  errorResponse(_ctx, _req, code) {
    return { errorCode: code, errorMessage: null, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n };
  },
});
