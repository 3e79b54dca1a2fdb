/**
 * DescribeUserScramCredentials (key 50) and AlterUserScramCredentials (key 51), v0, on the
 * broker's SCRAM credential store (the one SASL/SCRAM authenticates against).
 *
 * Describe (ScramImage.describe): no users or an empty list: every user with credentials; a user
 * named twice: DUPLICATE_RESOURCE "Cannot describe SCRAM credentials for the same user twice in a
 * single request: <user>"; a user without credentials: RESOURCE_NOT_FOUND "Attempt to describe a
 * user credential that does not exist: <user>"; else one (mechanism, iterations) per mechanism.
 *
 * Alter (ScramControlManager.alterCredentials), deletions first, then upsertions, one result per
 * user:
 * - a user altered twice in the request (two deletions, a deletion and an upsertion, ...):
 *   DUPLICATE_RESOURCE "A user credential cannot be altered twice in the same request";
 * - an empty name: UNACCEPTABLE_CREDENTIAL "Username must not be empty"; a mechanism type other
 *   than 1 (SCRAM-SHA-256) or 2 (SCRAM-SHA-512): UNSUPPORTED_SASL_MECHANISM "Unknown SCRAM mechanism";
 * - upsertion iterations below 4096 / above 16384: UNACCEPTABLE_CREDENTIAL "Too few iterations" /
 *   "Too many iterations";
 * - deleting a credential that does not exist: RESOURCE_NOT_FOUND "Attempt to delete a user
 *   credential that does not exist";
 * - the client sends salt and SaltedPassword; StoredKey and ServerKey are derived from them and
 *   the password never reaches the broker. All valid changes apply together.
 *
 * ACLs: DESCRIBE / ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED.
 * Deviation: results follow request order (Kafka iterates hash maps).
 */
import { AlterUserScramCredentialsApi } from '../../protocol/messages/alter-user-scram-credentials.js';
import type { AlterUserScramCredentialsResponseAlterUserScramCredentialsResult as AlterResult } from '../../protocol/messages/alter-user-scram-credentials.js';
import { DescribeUserScramCredentialsApi } from '../../protocol/messages/describe-user-scram-credentials.js';
import type { DescribeUserScramCredentialsResponseDescribeUserScramCredentialsResult as DescribeResult } from '../../protocol/messages/describe-user-scram-credentials.js';
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, requireClusterOperation } from './authorize.js';
import { credentialFromSaltedPassword, scramMechanism, scramMechanismByType } from '../security/sasl/scram-formatter.js';
import type { ScramCredential, ScramMechanismInfo } from '../security/sasl/scram-formatter.js';

export const describeUserScramCredentialsHandler = requireClusterOperation(
  AclOperation.DESCRIBE,
  defineHandler(DescribeUserScramCredentialsApi, {
    handle(ctx, req) {
      const store = ctx.scramCredentials;
      const asked = req.users ?? [];
      const counts = new Map<string, number>();
      for (const u of asked.length === 0 ? store.users().map((name) => ({ name })) : asked) counts.set(u.name, (counts.get(u.name) ?? 0) + 1);
      const results: DescribeResult[] = [...counts].map(([user, n]) => {
        if (n > 1) return { user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`, credentialInfos: [] };
        const infos = store.describe(user).map((c) => ({ mechanism: scramMechanism(c.mechanism)!.type, iterations: c.iterations }));
        if (infos.length === 0) return { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentialInfos: [] };
        return { user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: infos.sort((a, b) => a.mechanism - b.mechanism) };
      });
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
    },
    errorResponse(_ctx, req, code) {
      return {
        throttleTimeMs: 0,
        errorCode: code,
        errorMessage: errorInfo(code).message,
        results: (req.users ?? []).map((u) => ({ user: u.name, errorCode: code, errorMessage: null, credentialInfos: [] })),
      };
    },
  }),
);

const TWICE = 'A user credential cannot be altered twice in the same request';

export const alterUserScramCredentialsHandler = requireClusterOperation(
  AclOperation.ALTER,
  defineHandler(AlterUserScramCredentialsApi, {
    handle(ctx, req) {
      const store = ctx.scramCredentials;
      const errors = new Map<string, { code: number; message: string }>();
      const deletions = new Map<string, ScramMechanismInfo>();
      const upserts = new Map<string, { mechanism: ScramMechanismInfo; credential: ScramCredential }>();
      const refuse = (user: string, code: number, message: string) => errors.set(user, { code, message });

      for (const d of req.deletions) {
        if (errors.has(d.name)) continue;
        if (deletions.delete(d.name)) {
          refuse(d.name, ErrorCode.DUPLICATE_RESOURCE, TWICE);
          continue;
        }
        const mechanism = scramMechanismByType(d.mechanism);
        if (d.name === '') refuse(d.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
        else if (mechanism === undefined) refuse(d.name, ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism');
        else if (store.credential(mechanism.name, d.name) === undefined) refuse(d.name, ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist');
        else deletions.set(d.name, mechanism);
      }
      for (const u of req.upsertions) {
        if (errors.has(u.name)) continue;
        if (deletions.delete(u.name) || upserts.delete(u.name)) {
          refuse(u.name, ErrorCode.DUPLICATE_RESOURCE, TWICE);
          continue;
        }
        const mechanism = scramMechanismByType(u.mechanism);
        if (u.name === '') refuse(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
        else if (mechanism === undefined) refuse(u.name, ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism');
        else if (u.iterations < mechanism.minIterations) refuse(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations');
        else if (u.iterations > mechanism.maxIterations) refuse(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too many iterations');
        else upserts.set(u.name, { mechanism, credential: credentialFromSaltedPassword(mechanism, u.salt, u.saltedPassword, u.iterations) });
      }

      const results: AlterResult[] = [];
      for (const [user, mechanism] of deletions) {
        store.delete(user, mechanism.name);
        results.push({ user, errorCode: ErrorCode.NONE, errorMessage: null });
      }
      for (const [user, { mechanism, credential }] of upserts) {
        store.upsert(user, mechanism.name, credential);
        results.push({ user, errorCode: ErrorCode.NONE, errorMessage: null });
      }
      for (const [user, e] of errors) results.push({ user, errorCode: e.code, errorMessage: e.message });
      return { throttleTimeMs: 0, results };
    },
    errorResponse(_ctx, req, code) {
      const users = [...new Set([...req.deletions, ...req.upsertions].map((x) => x.name))];
      return { throttleTimeMs: 0, results: users.map((user) => ({ user, errorCode: code, errorMessage: errorInfo(code).message })) };
    },
  }),
);
