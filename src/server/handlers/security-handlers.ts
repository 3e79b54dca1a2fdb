/** Handlers of SASL and ACL administration. */
import type { AnyHandler } from './handler.js';
import { saslAuthenticateHandler, saslHandshakeHandler } from './sasl-handshake.js';
import { createAclsHandler, deleteAclsHandler, describeAclsHandler } from './acl-handlers.js';
import { alterUserScramCredentialsHandler, describeUserScramCredentialsHandler } from './user-scram-credentials.js';

export const SECURITY_HANDLERS: readonly AnyHandler[] = [saslHandshakeHandler, saslAuthenticateHandler, createAclsHandler, describeAclsHandler, deleteAclsHandler, describeUserScramCredentialsHandler, alterUserScramCredentialsHandler];
