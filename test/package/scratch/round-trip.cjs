// The produce/consume story every runner's test tells, with kafkajs (plain JavaScript, loads in
// every runner). MiniKafka is passed in so that each test file loads minikafka its own way
// (require or import) and so exercises that entry point.
const { Kafka, logLevel } = require('kafkajs');

/** Starts a broker, produces three records, consumes them in a group; returns what went in and came out. */
async function roundTrip(MiniKafka, runner) {
  // The try/finally form: `await using` is a syntax error in plain JavaScript on Node 20.
  const kafka = await MiniKafka.start({ topics: ['orders:2'], config: { 'group.initial.rebalance.delay.ms': 0 } });
  try {
    const client = new Kafka({ clientId: runner, brokers: [kafka.bootstrapServers], logLevel: logLevel.NOTHING });
    const sent = [1, 2, 3].map((i) => `${runner}-${i}`);
    const producer = client.producer();
    await producer.connect();
    await producer.send({ topic: 'orders', messages: sent.map((value) => ({ key: value, value })) });
    await producer.disconnect();
    const consumer = client.consumer({ groupId: `group-${runner}` });
    const got = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: 'orders', fromBeginning: true });
      await new Promise((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ message }) => {
              got.push(message.value.toString());
              if (got.length === sent.length) resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return { bootstrapServers: kafka.bootstrapServers, sent, got: got.sort() };
  } finally {
    await kafka.stop();
  }
}

module.exports = { roundTrip };
