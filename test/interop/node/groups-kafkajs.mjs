// One consumer group member with kafkajs for test/interop/groups.test.ts: reports its assignment
// after every rebalance and each record once committed, as JSON lines; leaves on "stop" or EOF.
//   node groups-kafkajs.mjs --bootstrap B --topic T --group G [--instance-id I] [--session-timeout-ms N]
import { Kafka, logLevel } from 'kafkajs';
import { createInterface } from 'node:readline';

const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const emit = (o) => process.stdout.write(JSON.stringify(o) + '\n');

const kafka = new Kafka({ clientId: 'kafkajs-groups', brokers: [args.bootstrap], logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId: args.group, sessionTimeout: Number(args['session-timeout-ms'] ?? 6000), heartbeatInterval: 500, rebalanceTimeout: 10000 });
consumer.on(consumer.events.GROUP_JOIN, (e) => emit({ event: 'assigned', partitions: [...(e.payload.memberAssignment[args.topic] ?? [])].sort((a, b) => a - b) }));
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await consumer.disconnect();
  emit({ event: 'closed' });
  process.exit(0);
};
createInterface({ input: process.stdin }).on('line', (l) => l.trim() === 'stop' && stop()).on('close', stop);
await consumer.connect();
await consumer.subscribe({ topics: [args.topic], fromBeginning: true });
emit({ event: 'started' });
await consumer.run({
  autoCommit: false,
  eachMessage: async ({ topic, partition, message }) => {
    await consumer.commitOffsets([{ topic, partition, offset: String(BigInt(message.offset) + 1n) }]);
    emit({ event: 'records', records: [[partition, Number(message.offset)]] });
  },
});
