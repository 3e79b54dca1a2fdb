// Type-checked (tsc, module nodenext, no skipLibCheck) against the `require` condition's declarations.
import minikafka = require('minikafka');

export async function bootstrap(): Promise<string> {
  const kafka: minikafka.MiniKafka = await minikafka.MiniKafka.start({ topics: ['orders:3'] });
  try {
    return kafka.bootstrapServers;
  } finally {
    await kafka.stop();
  }
}
