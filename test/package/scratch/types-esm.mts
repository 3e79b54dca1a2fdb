// Type-checked against the `import` condition's declarations, then compiled (target ES2022) and run
// on Node 20: TypeScript lowers `await using`, so the README's form works in TypeScript there.
import { connect } from 'node:net';
import { MiniKafka } from 'minikafka';

let port: number;
{
  await using kafka = await MiniKafka.start({ topics: ['orders:3'] });
  port = kafka.port;
  const servers: string = kafka.bootstrapServers;
  console.log(JSON.stringify({ servers }));
}
// Out of the block the broker is stopped: its port refuses connections.
const refused = await new Promise<boolean>((resolve) => {
  const socket = connect(port, '127.0.0.1');
  socket.once('connect', () => { socket.destroy(); resolve(false); });
  socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
});
console.log(JSON.stringify({ stoppedAtBlockEnd: refused }));
