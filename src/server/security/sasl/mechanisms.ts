/**
 * Which SASL mechanisms a listener offers and how a server for each is made: the one place that
 * knows every mechanism (Kafka: SaslChannelBuilder's callback handlers per mechanism).
 */
import type { TokenValidator } from '../oauth/jws.js';
import { UnsecuredTokenValidator } from '../oauth/unsecured-validator.js';
import { OAuthBearerSaslServer } from './oauthbearer.js';
import { PlainSaslServer, type PlainUsers } from './plain.js';
import { ScramSaslServer, type ScramCredentialLookup } from './scram.js';
import { SCRAM_SHA_256, SCRAM_SHA_512 } from './scram-formatter.js';
import { SaslMechanism, type SaslMechanismName, type SaslServer } from './sasl-server.js';

export interface SaslServerFactoryOptions {
  readonly plainUsers?: PlainUsers;
  readonly scramCredentials?: ScramCredentialLookup;
  /** OAUTHBEARER validation; Kafka's default is the unsecured validator. */
  readonly tokenValidator?: TokenValidator;
  readonly now: () => number;
  readonly onTokenRejected?: (detail: string) => void;
}

const NO_PLAIN_USERS: PlainUsers = { password: () => undefined };
const NO_SCRAM_CREDENTIALS: ScramCredentialLookup = { credential: () => undefined };

export function createSaslServer(mechanism: SaslMechanismName, options: SaslServerFactoryOptions): SaslServer {
  switch (mechanism) {
    case SaslMechanism.PLAIN:
      return new PlainSaslServer(options.plainUsers ?? NO_PLAIN_USERS);
    case SaslMechanism.SCRAM_SHA_256:
      return new ScramSaslServer(SCRAM_SHA_256, options.scramCredentials ?? NO_SCRAM_CREDENTIALS);
    case SaslMechanism.SCRAM_SHA_512:
      return new ScramSaslServer(SCRAM_SHA_512, options.scramCredentials ?? NO_SCRAM_CREDENTIALS);
    case SaslMechanism.OAUTHBEARER:
      return new OAuthBearerSaslServer(options.tokenValidator ?? new UnsecuredTokenValidator(), options.now, options.onTokenRejected);
  }
}
