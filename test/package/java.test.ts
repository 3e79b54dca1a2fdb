/**
 * The Java library (packages/java, Maven) as a JVM project uses it: the project copied into a
 * scratch folder where the npm tarball is installed (so Launcher finds node_modules/.bin/minikafka
 * from Maven's working directory upwards), then one `mvn test` over both Maven projects (an
 * aggregator pom written here): minikafka-junit's own tests (kafka-clients produce and consume
 * through MiniKafkaExtension, the launcher's errors, the time to a ready broker), and the Spring
 * Boot example (packages/java/spring-example: @KafkaListener + KafkaTemplate + @Transactional, on
 * minikafka and on @EmbeddedKafka, each printing its time to the first record).
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { describeRun, packedTarball, root, run, scratchDir } from './run.js';

// Maven resolves JUnit, kafka-clients, Spring Boot and spring-kafka-test's Kafka broker (about
// 185 MB the first time, cached in ~/.m2 after) and compiles; two Spring contexts and two Kafka
// brokers start: minutes under load.
t.setTimeout(1_200_000);

// The reactor builds minikafka-junit first, so the example uses it without an `mvn install`.
const aggregator = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.minikafka.test</groupId>
  <artifactId>java-projects</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <modules>
    <module>java</module>
    <module>java/spring-example</module>
  </modules>
</project>
`;

t.test('MiniKafkaExtension serves a kafka-clients test and a Spring Boot application', async (t) => {
  const tgz = await packedTarball();
  const dir = scratchDir(t, 'java');
  cpSync(join(root, 'packages/java'), join(dir, 'java'), { recursive: true, filter: (src) => !src.includes('/target') });
  writeFileSync(join(dir, 'package.json'), '{ "name": "java-project", "private": true }\n');
  writeFileSync(join(dir, 'pom.xml'), aggregator);
  const npm = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tgz], { cwd: dir, timeoutMs: 120_000 });
  t.equal(npm.code, 0, 'npm installs the tarball', { output: describeRun(npm) });

  const mvn = await run('mvn', ['-B', '--no-transfer-progress', 'test'], { cwd: dir, env: { MINIKAFKA_COMMAND: '' }, timeoutMs: 1_080_000 });
  t.equal(mvn.code, 0, 'mvn test passes', { output: describeRun(mvn) });
  const totals = [...mvn.stdout.matchAll(/^\[\w+\] Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)$/gm)].map((m) => m.slice(1).join('/'));
  t.same(totals, ['11/0/0/0', '2/0/0/0'], 'minikafka-junit: 11 tests; the Spring example: 2 (minikafka, @EmbeddedKafka); none failed or skipped');

  const timing = /minikafka start to ready \(ms\): \[([\d, ]+)\]/.exec(mvn.stdout);
  t.ok(timing, 'the timing test reported its starts');
  t.comment(`MiniKafka.start() to ready, 5 starts (ms): ${timing?.[1]}`);
  for (const broker of ['minikafka', 'EmbeddedKafka']) {
    const first = new RegExp(`time to the first record \\(${broker}\\): (wall \\d+ ms, cpu \\d+ ms.*)`).exec(mvn.stdout);
    t.ok(first, `the Spring example on ${broker} reported its time to the first record`);
    t.comment(`Spring Boot, time to the first record on ${broker}: ${first?.[1]}`);
  }
});
