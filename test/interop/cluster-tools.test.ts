/**
 * Apache Kafka 4.4's own cluster tools against minikafka: kafka-features, kafka-metadata-quorum,
 * kafka-leader-election, kafka-reassign-partitions, kafka-client-metrics and kafka-cluster
 * (unregister), run from the reference Kafka's classpath (bench/kafka/setup.sh). Each command's exit code and output, once cluster ids,
 * directory ids, epochs, offsets, timestamps and ports are masked, must equal what the same command
 * printed against Apache Kafka 4.4.0 (KAFKA_4_4_0 below: bench/kafka/start-kafka.sh, then these
 * commands; blank lines dropped), feature levels included. Takes a few minutes: every command
 * is a JVM of its own.
 *
 * Env: INTEROP_BOOTSTRAP=host:port runs it against that broker instead.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { brokerUnderTest, kafkaTool as tool, root } from './harness.js';

const KAFKA_4_4_0 = `
### create
Created topic TOPIC.
rc=0
### features describe
Feature: eligible.leader.replicas.version          SupportedMinVersion: 0                SupportedMaxVersion: 1                FinalizedVersionLevel: 1                Epoch: N
Feature: group.version                             SupportedMinVersion: 0                SupportedMaxVersion: 1                FinalizedVersionLevel: 1                Epoch: N
Feature: kraft.version                             SupportedMinVersion: 0                SupportedMaxVersion: 1                FinalizedVersionLevel: 1                Epoch: N
Feature: metadata.version                          SupportedMinVersion: 3.3-IV3          SupportedMaxVersion: 4.4-IV2          FinalizedVersionLevel: 4.4-IV2          Epoch: N
Feature: share.version                             SupportedMinVersion: 0                SupportedMaxVersion: 2                FinalizedVersionLevel: 2                Epoch: N
Feature: streams.version                           SupportedMinVersion: 0                SupportedMaxVersion: 1                FinalizedVersionLevel: 1                Epoch: N
Feature: transaction.version                       SupportedMinVersion: 0                SupportedMaxVersion: 2                FinalizedVersionLevel: 2                Epoch: N
rc=0
### features upgrade past the supported range
Could not upgrade group.version to 5. The update failed for all features since the following feature had an error: Invalid update version 5 for feature group.version. Local controller 1 only supports versions 0-1
1 out of 1 operation(s) failed.
rc=1
### features downgrade dry run
group.version can be downgraded to 0.
rc=0
### quorum status
ClusterId:              ID
LeaderId:               1
LeaderEpoch:            1
HighWatermark:          N
MaxFollowerLag:         0
MaxFollowerLagTimeMs:   0
CurrentVoters:          [{"id": 1, "directoryId": "ID", "endpoints": ["CONTROLLER://127.0.0.1:PORT"]}]
CurrentObservers:       []
rc=0
### quorum replication
NodeId	DirectoryId           	LogEndOffset	Lag	LastFetchTimestamp	LastCaughtUpTimestamp	Status	
1     	ID	N        	0  	N     	N        	Leader	
rc=0
### preferred election
Valid replica already elected for partitions TOPIC-0
rc=0
### unclean election of every partition
rc=0
### unclean election of an unknown topic
Error completing leader election (UNCLEAN) for partition: nope-0: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: No such topic as nope
1 replica(s) could not be elected
org.apache.kafka.tools.AdminCommandFailedException: 1 replica(s) could not be elected
	Suppressed: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: No such topic as nope
rc=1
### reassignments
No partition reassignments found.
rc=0
### reassign to an unknown broker
Error: Unknown broker id 2
org.apache.kafka.tools.AdminCommandFailedException: Unknown broker id 2
rc=1
### client metrics alter
Altered client metrics config for tools-sub.
rc=0
### client metrics describe
Client metrics configs for tools-sub are:
  interval.ms=2000
  match=client_id=x.*
  metrics=org.apache.kafka.producer.
rc=0
### client metrics list
tools-sub
rc=0
### client metrics bad interval
Error while executing client metrics command : Invalid value 5 for interval.ms, interval must be between 100 and 3600000 (1 hour)
 (org.apache.kafka.tools.ClientMetricsCommand)
rc=1
### client metrics delete
Deleted client metrics config for tools-sub.
rc=0
### client metrics list after delete
rc=0
### unregister unknown broker
org.apache.kafka.common.errors.BrokerIdNotRegisteredException: Broker ID 5 is not currently registered
java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.BrokerIdNotRegisteredException: Broker ID 5 is not currently registered
Caused by: org.apache.kafka.common.errors.BrokerIdNotRegisteredException: Broker ID 5 is not currently registered
rc=1
### remove-controller unknown
org.apache.kafka.common.errors.VoterNotFoundException: Cannot remove voter ReplicaKey(id=2, directoryId=AAAAAAAAAAAAAAAAAAAAAQ) from the set of voters [ReplicaKey(id=1, directoryId=ID)]
java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.VoterNotFoundException: Cannot remove voter ReplicaKey(id=2, directoryId=AAAAAAAAAAAAAAAAAAAAAQ) from the set of voters [ReplicaKey(id=1, directoryId=ID)]
Caused by: org.apache.kafka.common.errors.VoterNotFoundException: Cannot remove voter ReplicaKey(id=2, directoryId=AAAAAAAAAAAAAAAAAAAAAQ) from the set of voters [ReplicaKey(id=1, directoryId=ID)]
rc=1
`;

function mask(text: string, topic: string): string {
  return text
    .replaceAll(topic, 'TOPIC')
    .replace(/Epoch: \d+/g, 'Epoch: N')
    .replace(/^(ClusterId:\s+)\S+/m, '$1ID')
    .replace(/^(HighWatermark:\s+)\d+/m, '$1N')
    .replace(/"directoryId": "[^"]+"/g, '"directoryId": "ID"')
    .replace(/directoryId=[A-Za-z0-9_-]{22}\)\]/g, 'directoryId=ID)]')
    .replace(/CONTROLLER:\/\/127\.0\.0\.1:\d+/g, 'CONTROLLER://127.0.0.1:PORT')
    .replace(/^1 {5}\t\S+\t\d+ +\t0  \t\d+ +\t\d+ +\tLeader\t$/m, '1     \tID\tN        \t0  \tN     \tN        \tLeader\t');
}

t.setTimeout(10 * 60_000);

const setup = spawnSync('bash', [join(root, 'bench/kafka/setup.sh')], { cwd: root, encoding: 'utf8' });
if (setup.status !== 0) {
  t.fail(`bench/kafka/setup.sh failed: the Kafka tools are not available\n${setup.stderr}`);
} else {
  t.test('Kafka 4.4 cluster tools: the same exit codes and output as against Apache Kafka 4.4.0', async (t) => {
    const classpath = readFileSync(join(root, 'bench/kafka/target/classpath.txt'), 'utf8').trim();
    const bootstrap = await brokerUnderTest(t);
    const topic = `tools-${randomBytes(4).toString('hex')}`;
    const dir = mkdtempSync(join(tmpdir(), 'cluster-tools-'));
    const reassignment = join(dir, 'reassign.json');
    writeFileSync(reassignment, JSON.stringify({ version: 1, partitions: [{ topic, partition: 0, replicas: [1, 2] }] }));
    const B = ['--bootstrap-server', bootstrap];
    const steps: [string, string[]][] = [
      ['create', ['org.apache.kafka.tools.TopicCommand', ...B, '--create', '--topic', topic, '--partitions', '2']],
      ['features describe', ['org.apache.kafka.tools.FeatureCommand', ...B, 'describe']],
      ['features upgrade past the supported range', ['org.apache.kafka.tools.FeatureCommand', ...B, 'upgrade', '--feature', 'group.version=5']],
      ['features downgrade dry run', ['org.apache.kafka.tools.FeatureCommand', ...B, 'downgrade', '--feature', 'group.version=0', '--dry-run']],
      ['quorum status', ['org.apache.kafka.tools.MetadataQuorumCommand', ...B, 'describe', '--status']],
      ['quorum replication', ['org.apache.kafka.tools.MetadataQuorumCommand', ...B, 'describe', '--replication']],
      ['preferred election', ['org.apache.kafka.tools.LeaderElectionCommand', ...B, '--election-type', 'preferred', '--topic', topic, '--partition', '0']],
      ['unclean election of every partition', ['org.apache.kafka.tools.LeaderElectionCommand', ...B, '--election-type', 'unclean', '--all-topic-partitions']],
      ['unclean election of an unknown topic', ['org.apache.kafka.tools.LeaderElectionCommand', ...B, '--election-type', 'unclean', '--topic', 'nope', '--partition', '0']],
      ['reassignments', ['org.apache.kafka.tools.reassign.ReassignPartitionsCommand', ...B, '--list']],
      ['reassign to an unknown broker', ['org.apache.kafka.tools.reassign.ReassignPartitionsCommand', ...B, '--execute', '--reassignment-json-file', reassignment]],
      ['client metrics alter', ['org.apache.kafka.tools.ClientMetricsCommand', ...B, '--alter', '--name', 'tools-sub', '--metrics', 'org.apache.kafka.producer.', '--interval', '2000', '--match', 'client_id=x.*']],
      ['client metrics describe', ['org.apache.kafka.tools.ClientMetricsCommand', ...B, '--describe', '--name', 'tools-sub']],
      ['client metrics list', ['org.apache.kafka.tools.ClientMetricsCommand', ...B, '--list']],
      ['client metrics bad interval', ['org.apache.kafka.tools.ClientMetricsCommand', ...B, '--alter', '--name', 'tools-sub', '--interval', '5']],
      ['client metrics delete', ['org.apache.kafka.tools.ClientMetricsCommand', ...B, '--delete', '--name', 'tools-sub']],
      ['client metrics list after delete', ['org.apache.kafka.tools.ClientMetricsCommand', ...B, '--list']],
      ['unregister unknown broker', ['org.apache.kafka.tools.ClusterTool', 'unregister', ...B, '--id', '5']],
      ['remove-controller unknown', ['org.apache.kafka.tools.MetadataQuorumCommand', ...B, 'remove-controller', '--controller-id', '2', '--controller-directory-id', 'AAAAAAAAAAAAAAAAAAAAAQ']],
    ];
    let got = '\n';
    for (const [name, args] of steps) got += `### ${name}\n${mask(await tool(classpath, args), topic)}`;
    t.equal(got, KAFKA_4_4_0, 'the same output as Apache Kafka 4.4.0');
  });
}
