/**
 * Apache Kafka 4.4's kafka-configs and kafka-acls (org.apache.kafka.tools.ConfigCommand and
 * AclCommand, from the reference Kafka's classpath: bench/kafka/setup.sh) against minikafka with
 * SASL_PLAINTEXT and an authorizer, as an admin (a super user) would run them: add, describe and
 * delete a SCRAM credential; add an ACL and list it. Exit codes and output must be the tools'
 * own texts for these outcomes (ConfigCommand.alterUserScramCredentialConfigs / describe, and
 * AclCommand's "Adding ACLs for resource" / "Current ACLs for resource" listings).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { root } from './harness.js';

const EXPECTED = `### scram alter
Completed updating config for user carol.
rc=0
### scram describe
SCRAM credential configs for user-principal 'carol' are SCRAM-SHA-256=iterations=8192
rc=0
### acl add
Adding ACLs for resource \`ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)\`: 
 \t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)

rc=0
### acl list
Current ACLs for resource \`ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)\`:
\t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)

rc=0
### scram delete
Completed updating config for user carol.
rc=0
### scram describe after the delete
rc=0
`;

/** Runs one tool in its own JVM, asynchronously: the broker answers from this same process. */
function tool(classpath: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile('java', ['-Xmx200m', '-cp', classpath, `-Dlog4j2.configurationFile=${join(root, 'bench/kafka/log4j2.properties')}`, ...args], { cwd: root, encoding: 'utf8' }, (e, stdout, stderr) => {
      resolve(`${stdout}${stderr}rc=${e ? String(e.code) : 0}\n`);
    });
  });
}

t.test('kafka-configs (SCRAM users) and kafka-acls against a SASL broker with an authorizer', async (t) => {
  const setup = spawnSync('bash', [join(root, 'bench/kafka/setup.sh')], { cwd: root, encoding: 'utf8' });
  if (setup.status !== 0) throw new Error(`bench/kafka/setup.sh failed: ${setup.stderr.slice(-2000)}`);
  const classpath = readFileSync(join(root, 'bench/kafka/target/classpath.txt'), 'utf8').trim();
  await using kafka = await MiniKafka.start({
    listener: 'SASL_PLAINTEXT://127.0.0.1:0',
    users: { admin: 'admin-secret' },
    superUsers: ['User:admin'],
    config: { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer' },
  });
  const dir = mkdtempSync(join(tmpdir(), 'minikafka-security-tools-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const adminConfig = join(dir, 'admin.properties');
  writeFileSync(
    adminConfig,
    'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret";\n',
  );
  const B = ['--bootstrap-server', kafka.bootstrapServers, '--command-config', adminConfig];
  const user = ['--entity-type', 'users', '--entity-name', 'carol'];
  let out = '';
  // Five JVMs, one after the other: about 5 s each on a loaded machine.
  for (const [name, args] of [
    ['scram alter', ['org.apache.kafka.tools.ConfigCommand', ...B, ...user, '--alter', '--add-config', 'SCRAM-SHA-256=[iterations=8192,password=carol-secret]']],
    ['scram describe', ['org.apache.kafka.tools.ConfigCommand', ...B, ...user, '--describe']],
    ['acl add', ['org.apache.kafka.tools.AclCommand', ...B, '--add', '--allow-principal', 'User:alice', '--operation', 'Read', '--topic', 'orders']],
    ['acl list', ['org.apache.kafka.tools.AclCommand', ...B, '--list']],
    ['scram delete', ['org.apache.kafka.tools.ConfigCommand', ...B, ...user, '--alter', '--delete-config', 'SCRAM-SHA-256']],
    ['scram describe after the delete', ['org.apache.kafka.tools.ConfigCommand', ...B, ...user, '--describe']],
  ] as const) {
    out += `### ${name}\n${await tool(classpath, args)}`;
  }
  t.equal(out, EXPECTED);
});
