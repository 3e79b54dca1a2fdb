import t from 'tap';
import { StandardAuthorizer, type RequestContext } from '../../../src/server/security/authorizer/standard-authorizer.js';
import {
  AclOperation as Op,
  AclPermissionType as Perm,
  PatternType as PT,
  ResourceType as RT,
  type AclBinding,
  type AclBindingFilter,
  type AclOperationCode,
  type PatternTypeCode,
  type ResourceTypeCode,
} from '../../../src/server/security/authorizer/acl-types.js';
import { auditLine, createAuditLogger, type AuditRecord } from '../../../src/server/security/authorizer/audit-log.js';
import { ErrorCode } from '../../../src/protocol/errors.js';

function acl(
  resourceType: ResourceTypeCode,
  name: string,
  patternType: PatternTypeCode,
  principal: string,
  operation: AclOperationCode,
  permissionType: 2 | 3 = Perm.ALLOW,
  host = '*',
): AclBinding {
  return { pattern: { resourceType, name, patternType }, entry: { principal, host, operation, permissionType } };
}

const ctx = (principal: string, host = '127.0.0.1'): RequestContext => ({ principal, host, requestName: 'Metadata' });

function authorizer(bindings: AclBinding[], opts: { superUsers?: string[]; allowEveryoneIfNoAclFound?: boolean } = {}) {
  const a = new StandardAuthorizer(opts);
  const results = a.createAcls(bindings);
  for (const r of results) if (r.errorCode !== 0) throw new Error(`bad test ACL: ${r.errorMessage}`);
  return a;
}

// Each row: [description, ACLs, config, principal, host, operation, resource type, name, expected]
type Row = [string, AclBinding[], { superUsers?: string[]; allowEveryoneIfNoAclFound?: boolean }, string, string, AclOperationCode, ResourceTypeCode, string, boolean];
const alice = 'User:alice';
const bob = 'User:bob';
const rows: Row[] = [
  ['no ACLs, default deny', [], {}, alice, '1.1.1.1', Op.READ, RT.TOPIC, 'foo', false],
  ['no ACLs, allow.everyone.if.no.acl.found', [], { allowEveryoneIfNoAclFound: true }, alice, '1.1.1.1', Op.READ, RT.TOPIC, 'foo', true],
  ['ACLs for someone else: allow.everyone does not apply', [acl(RT.TOPIC, 'foo', PT.LITERAL, bob, Op.READ)], { allowEveryoneIfNoAclFound: true }, alice, '1.1.1.1', Op.READ, RT.TOPIC, 'foo', false],
  ['ACLs on another resource: allow.everyone applies', [acl(RT.TOPIC, 'bar', PT.LITERAL, bob, Op.READ)], { allowEveryoneIfNoAclFound: true }, alice, '1.1.1.1', Op.READ, RT.TOPIC, 'foo', true],
  ['a literal ALLOW', [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.READ)], {}, alice, '1.1.1.1', Op.READ, RT.TOPIC, 'foo', true],
  ['a literal ACL is not a prefix', [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.READ)], {}, alice, '1.1.1.1', Op.READ, RT.TOPIC, 'foobar', false],
  ['a literal ACL of another principal', [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.READ)], {}, bob, '1.1.1.1', Op.READ, RT.TOPIC, 'foo', false],
  ['READ implies DESCRIBE', [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.READ)], {}, alice, '1.1.1.1', Op.DESCRIBE, RT.TOPIC, 'foo', true],
  ['WRITE implies DESCRIBE', [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.WRITE)], {}, alice, '1.1.1.1', Op.DESCRIBE, RT.TOPIC, 'foo', true],
  ['DELETE implies DESCRIBE', [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.DELETE)], {}, alice, '1.1.1.1', Op.DESCRIBE, RT.TOPIC, 'foo', true],
  ['ALTER implies DESCRIBE', [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.ALTER)], {}, alice, '1.1.1.1', Op.DESCRIBE, RT.TOPIC, 'foo', true],
  ['CREATE does not imply DESCRIBE', [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.CREATE)], {}, alice, '1.1.1.1', Op.DESCRIBE, RT.TOPIC, 'foo', false],
  ['READ does not imply WRITE', [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.READ)], {}, alice, '1.1.1.1', Op.WRITE, RT.TOPIC, 'foo', false],
  ['ALTER_CONFIGS implies DESCRIBE_CONFIGS', [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.ALTER_CONFIGS)], {}, alice, '1.1.1.1', Op.DESCRIBE_CONFIGS, RT.TOPIC, 'foo', true],
  ['DESCRIBE_CONFIGS does not imply ALTER_CONFIGS', [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.DESCRIBE_CONFIGS)], {}, alice, '1.1.1.1', Op.ALTER_CONFIGS, RT.TOPIC, 'foo', false],
  ['ALL allows any operation', [acl(RT.GROUP, 'g', PT.LITERAL, alice, Op.ALL)], {}, alice, '1.1.1.1', Op.DELETE, RT.GROUP, 'g', true],
  ['a PREFIXED ALLOW covers longer names', [acl(RT.TOPIC, 'foo', PT.PREFIXED, alice, Op.WRITE)], {}, alice, '1.1.1.1', Op.WRITE, RT.TOPIC, 'foobar', true],
  ['a PREFIXED ALLOW covers its own name', [acl(RT.TOPIC, 'foo', PT.PREFIXED, alice, Op.WRITE)], {}, alice, '1.1.1.1', Op.WRITE, RT.TOPIC, 'foo', true],
  ['a PREFIXED ALLOW does not cover shorter names', [acl(RT.TOPIC, 'foo', PT.PREFIXED, alice, Op.WRITE)], {}, alice, '1.1.1.1', Op.WRITE, RT.TOPIC, 'fo', false],
  ['the wildcard resource', [acl(RT.TOPIC, '*', PT.LITERAL, alice, Op.READ)], {}, alice, '1.1.1.1', Op.READ, RT.TOPIC, 'anything', true],
  ['a PREFIXED "*" is not a wildcard', [acl(RT.TOPIC, '*', PT.PREFIXED, alice, Op.READ)], {}, alice, '1.1.1.1', Op.READ, RT.TOPIC, 'anything', false],
  ['the wildcard principal', [acl(RT.TOPIC, 'foo', PT.LITERAL, 'User:*', Op.READ)], {}, bob, '1.1.1.1', Op.READ, RT.TOPIC, 'foo', true],
  ['User:* matches a principal of any type, as StandardAuthorizer does', [acl(RT.TOPIC, 'foo', PT.LITERAL, 'User:*', Op.READ)], {}, 'Group:ops', '1.1.1.1', Op.READ, RT.TOPIC, 'foo', true],
  ['resource types are separate', [acl(RT.GROUP, 'foo', PT.LITERAL, alice, Op.READ)], {}, alice, '1.1.1.1', Op.READ, RT.TOPIC, 'foo', false],
  ['DENY wins over ALLOW', [acl(RT.TOPIC, '*', PT.LITERAL, 'User:*', Op.ALL), acl(RT.TOPIC, 'secret', PT.PREFIXED, alice, Op.READ, Perm.DENY)], {}, alice, '1.1.1.1', Op.READ, RT.TOPIC, 'secret-1', false],
  ['a DENY READ leaves WRITE', [acl(RT.TOPIC, '*', PT.LITERAL, 'User:*', Op.ALL), acl(RT.TOPIC, 'secret', PT.PREFIXED, alice, Op.READ, Perm.DENY)], {}, alice, '1.1.1.1', Op.WRITE, RT.TOPIC, 'secret-1', true],
  ['a DENY READ does not deny DESCRIBE', [acl(RT.TOPIC, '*', PT.LITERAL, 'User:*', Op.ALL), acl(RT.TOPIC, 'secret', PT.PREFIXED, alice, Op.READ, Perm.DENY)], {}, alice, '1.1.1.1', Op.DESCRIBE, RT.TOPIC, 'secret-1', true],
  ['a DENY for alice leaves bob', [acl(RT.TOPIC, '*', PT.LITERAL, 'User:*', Op.ALL), acl(RT.TOPIC, 'secret', PT.PREFIXED, alice, Op.READ, Perm.DENY)], {}, bob, '1.1.1.1', Op.READ, RT.TOPIC, 'secret-1', true],
  ['a DENY ALL denies DESCRIBE', [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.READ), acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.ALL, Perm.DENY)], {}, alice, '1.1.1.1', Op.DESCRIBE, RT.TOPIC, 'foo', false],
  ['a wildcard-principal DENY denies everyone', [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.READ), acl(RT.TOPIC, 'foo', PT.LITERAL, 'User:*', Op.READ, Perm.DENY)], {}, alice, '1.1.1.1', Op.READ, RT.TOPIC, 'foo', false],
  ['a DENY from another host does not apply', [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.READ), acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.READ, Perm.DENY, '10.0.0.9')], {}, alice, '10.0.0.1', Op.READ, RT.TOPIC, 'foo', true],
  ['an ALLOW for this host', [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.READ, Perm.ALLOW, '10.0.0.1')], {}, alice, '10.0.0.1', Op.READ, RT.TOPIC, 'foo', true],
  ['an ALLOW for another host', [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.READ, Perm.ALLOW, '10.0.0.1')], {}, alice, '10.0.0.2', Op.READ, RT.TOPIC, 'foo', false],
  ['an IPv4-mapped client address matches the IPv4 ACL host', [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.READ, Perm.ALLOW, '10.0.0.1')], {}, alice, '::ffff:10.0.0.1', Op.READ, RT.TOPIC, 'foo', true],
  ['super users pass any DENY', [acl(RT.TOPIC, 'foo', PT.LITERAL, 'User:*', Op.ALL, Perm.DENY)], { superUsers: ['User:admin'] }, 'User:admin', '1.1.1.1', Op.WRITE, RT.TOPIC, 'foo', true],
  ['a cluster ACL', [acl(RT.CLUSTER, 'kafka-cluster', PT.LITERAL, alice, Op.IDEMPOTENT_WRITE)], {}, alice, '1.1.1.1', Op.IDEMPOTENT_WRITE, RT.CLUSTER, 'kafka-cluster', true],
  ['a transactional id by prefix', [acl(RT.TRANSACTIONAL_ID, 'app-', PT.PREFIXED, alice, Op.WRITE)], {}, alice, '1.1.1.1', Op.WRITE, RT.TRANSACTIONAL_ID, 'app-1', true],
];

t.test("authorization decisions follow StandardAuthorizer's rules", async (t) => {
  for (const [name, bindings, config, principal, host, op, type, resource, expected] of rows) {
    t.equal(authorizer(bindings, config).authorize(ctx(principal, host), { operation: op, resourceType: type, name: resource }), expected, name);
  }
});

t.test('authorized-operations bitfields', async (t) => {
  const a = authorizer([acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.READ), acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.ALTER_CONFIGS)]);
  // READ(3) + DESCRIBE(8, implied) + ALTER_CONFIGS(11) + DESCRIBE_CONFIGS(10, implied)
  t.equal(a.authorizedOperations(ctx(alice), RT.TOPIC, 'foo'), (1 << 3) | (1 << 8) | (1 << 11) | (1 << 10));
  t.equal(a.authorizedOperations(ctx(bob), RT.TOPIC, 'foo'), 0);
  const open = authorizer([], { allowEveryoneIfNoAclFound: true });
  t.equal(open.authorizedOperations(ctx(bob), RT.TOPIC, 'foo'), 3576, 'every topic operation, as without an authorizer');
  t.equal(open.authorizedOperations(ctx(bob), RT.CLUSTER, 'kafka-cluster'), 8096);
  t.equal(open.authorizedOperations(ctx(bob), RT.GROUP, 'g'), 3400);
  const su = authorizer([], { superUsers: [alice] });
  t.equal(su.authorizedOperations(ctx(alice), RT.TRANSACTIONAL_ID, 't'), (1 << 8) | (1 << 4));
});

t.test('authorizeByResourceType (KIP-679): any allowed resource of the type that no DENY dominates', async (t) => {
  const cases: [string, AclBinding[], boolean][] = [
    ['nothing', [], false],
    ['a literal allow', [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.WRITE)], true],
    ['literal allow, same literal deny', [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.WRITE), acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.WRITE, Perm.DENY)], false],
    ['prefixed allow, shorter prefixed deny', [acl(RT.TOPIC, 'foobar', PT.PREFIXED, alice, Op.WRITE), acl(RT.TOPIC, 'foo', PT.PREFIXED, alice, Op.WRITE, Perm.DENY)], false],
    ['prefixed allow, longer prefixed deny', [acl(RT.TOPIC, 'foo', PT.PREFIXED, alice, Op.WRITE), acl(RT.TOPIC, 'foobar', PT.PREFIXED, alice, Op.WRITE, Perm.DENY)], true],
    ['wildcard allow', [acl(RT.TOPIC, '*', PT.LITERAL, 'User:*', Op.ALL)], true],
    ['wildcard deny', [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.WRITE), acl(RT.TOPIC, '*', PT.LITERAL, alice, Op.WRITE, Perm.DENY)], false],
    ['another operation', [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.READ)], false],
  ];
  for (const [name, bindings, expected] of cases) {
    t.equal(authorizer(bindings).authorizeByResourceType(ctx(alice), Op.WRITE, RT.TOPIC), expected, name);
  }
  t.ok(authorizer([], { superUsers: [alice] }).authorizeByResourceType(ctx(alice), Op.WRITE, RT.TOPIC), 'super user');
});

t.test("CreateAcls validation with Kafka's messages; re-creating is idempotent", async (t) => {
  const a = new StandardAuthorizer();
  const bad: [AclBinding, string][] = [
    [acl(RT.CLUSTER, 'other', PT.LITERAL, alice, Op.ALTER), 'The only valid name for the CLUSTER resource is kafka-cluster'],
    [acl(RT.TOPIC, '', PT.LITERAL, alice, Op.READ), 'Invalid empty resource name'],
    [acl(RT.TOPIC, 'foo', PT.MATCH, alice, Op.READ), 'Invalid patternType MATCH'],
    [acl(RT.TOPIC, 'foo', PT.ANY, alice, Op.READ), 'Invalid patternType ANY'],
    [acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.ANY), 'Invalid operation ANY'],
    [{ ...acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.READ), entry: { principal: alice, host: '*', operation: Op.READ, permissionType: Perm.ANY } }, 'Invalid permissionType ANY'],
    [acl(RT.TOPIC, 'foo', PT.LITERAL, 'alice', Op.READ), 'Could not parse principal from `alice` (no colon is present separating the principal type from the principal name)'],
  ];
  const results = a.createAcls([...bad.map(([b]) => b), acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.READ), acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.READ)]);
  bad.forEach(([, message], i) => t.strictSame(results[i], { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: message }, message));
  t.strictSame(results.slice(bad.length), [{ errorCode: 0, errorMessage: null }, { errorCode: 0, errorMessage: null }]);
  t.equal(a.aclCount, 1);
});

t.test('DescribeAcls and DeleteAcls filters: ANY, MATCH, exact, null fields', async (t) => {
  const bindings = [
    acl(RT.TOPIC, 'foo', PT.LITERAL, alice, Op.READ),
    acl(RT.TOPIC, '*', PT.LITERAL, bob, Op.WRITE),
    acl(RT.TOPIC, 'fo', PT.PREFIXED, alice, Op.DESCRIBE),
    acl(RT.TOPIC, 'foobar', PT.PREFIXED, alice, Op.DESCRIBE),
    acl(RT.GROUP, 'foo', PT.LITERAL, alice, Op.READ, Perm.DENY),
  ];
  const a = authorizer(bindings);
  const f = (resourceType: number, name: string | null, patternType: number, principal: string | null = null, operation: number = Op.ANY): AclBindingFilter => ({
    pattern: { resourceType: resourceType as ResourceTypeCode, name, patternType: patternType as PatternTypeCode },
    entry: { principal, host: null, operation: operation as AclOperationCode, permissionType: Perm.ANY },
  });
  const names = (bs: AclBinding[]) => bs.map((b) => `${b.pattern.resourceType}/${b.pattern.patternType}/${b.pattern.name}`).sort();
  t.strictSame(names(a.acls(f(RT.ANY, null, PT.ANY))), names(bindings), 'match everything');
  t.strictSame(names(a.acls(f(RT.TOPIC, 'foo', PT.MATCH))), ['2/3/*', '2/3/foo', '2/4/fo'], 'MATCH: what applies to topic foo');
  t.strictSame(names(a.acls(f(RT.TOPIC, 'foo', PT.ANY))), ['2/3/foo'], 'ANY: exact name, any pattern type');
  t.strictSame(names(a.acls(f(RT.TOPIC, 'fo', PT.PREFIXED))), ['2/4/fo']);
  t.strictSame(names(a.acls(f(RT.ANY, null, PT.ANY, bob))), ['2/3/*'], 'by principal');
  t.strictSame(names(a.acls(f(RT.ANY, null, PT.ANY, null, Op.DESCRIBE))), ['2/4/fo', '2/4/foobar'], 'by operation');

  const deleted = a.deleteAcls([f(RT.TOPIC, 'foo', PT.MATCH), f(RT.TOPIC, null, PT.ANY), f(RT.UNKNOWN, null, PT.ANY)]);
  t.strictSame(names([...deleted[0]!.deleted]), ['2/3/*', '2/3/foo', '2/4/fo']);
  t.strictSame(names([...deleted[1]!.deleted]), ['2/4/foobar'], 'a binding goes to the first filter that matched it');
  t.strictSame(deleted[2], { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unknown patternFilter.', deleted: [] });
  t.strictSame(names(a.acls(f(RT.ANY, null, PT.ANY))), ['3/3/foo']);
  t.notOk(a.authorize(ctx(alice), { operation: Op.READ, resourceType: RT.TOPIC, name: 'foo' }), 'deleted ACLs no longer allow');
});

t.test("audit lines as kafka.authorizer.logger writes them, at Kafka's levels", async (t) => {
  const lines: string[] = [];
  const audit = createAuditLogger('debug', (l) => lines.push(l), () => Date.UTC(2026, 11, 2, 10, 0, 0, 123));
  const a = new StandardAuthorizer({ audit, superUsers: ['User:admin'] });
  a.createAcls([acl(RT.TOPIC, 'orders', PT.LITERAL, alice, Op.READ)]);
  const fetch = { principal: alice, host: '127.0.0.1', requestName: 'Fetch' };
  a.authorize(fetch, { operation: Op.READ, resourceType: RT.TOPIC, name: 'orders' });
  a.authorize({ ...fetch, principal: bob }, { operation: Op.READ, resourceType: RT.TOPIC, name: 'orders' });
  a.authorize({ ...fetch, principal: 'User:admin' }, { operation: Op.ALTER, resourceType: RT.CLUSTER, name: 'kafka-cluster' });
  a.authorize(fetch, { operation: Op.WRITE, resourceType: RT.TRANSACTIONAL_ID, name: 'tx', logIfDenied: false });
  a.authorizedOperations(fetch, RT.TOPIC, 'orders');
  t.strictSame(lines, [
    '[2026-12-02 10:00:00,123] DEBUG Principal = User:alice is Allowed operation = READ from host = 127.0.0.1 on resource = Topic:LITERAL:orders for request = Fetch with resourceRefCount = 1 based on rule MatchingAcl(acl=StandardAcl[resourceType=TOPIC, resourceName=orders, patternType=LITERAL, principal=User:alice, host=*, operation=READ, permissionType=ALLOW]) (kafka.authorizer.logger)',
    '[2026-12-02 10:00:00,123] INFO Principal = User:bob is Denied operation = READ from host = 127.0.0.1 on resource = Topic:LITERAL:orders for request = Fetch with resourceRefCount = 1 based on rule DefaultDeny (kafka.authorizer.logger)',
    '[2026-12-02 10:00:00,123] DEBUG Principal = User:admin is Allowed operation = ALTER from host = 127.0.0.1 on resource = Cluster:LITERAL:kafka-cluster for request = Fetch with resourceRefCount = 1 based on rule SuperUser (kafka.authorizer.logger)',
  ]);
  const infoOnly: string[] = [];
  const b = new StandardAuthorizer({ audit: createAuditLogger('info', (l) => infoOnly.push(l)) });
  b.authorize(fetch, { operation: Op.READ, resourceType: RT.TRANSACTIONAL_ID, name: 'x' });
  t.equal(infoOnly.length, 1);
  t.match(infoOnly[0], /INFO Principal = User:alice is Denied operation = READ .* on resource = TransactionalId:LITERAL:x /);
  const record: AuditRecord = { principal: 'User:x', allowed: false, operation: 'DESCRIBE', host: 'h', resource: 'DelegationToken:LITERAL:t', request: 'Metadata', resourceRefCount: 0, rule: 'DefaultDeny', level: 'trace' };
  t.match(auditLine(record, 0), /^\[1970-01-01 00:00:00,000\] TRACE Principal = User:x is Denied operation = DESCRIBE from host = h on resource = DelegationToken:LITERAL:t for request = Metadata with resourceRefCount = 0 based on rule DefaultDeny \(kafka.authorizer.logger\)$/);
});
