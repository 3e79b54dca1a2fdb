// Kafka's listener configs as parsed here: names, protocols through the map, advertised
// endpoints, KafkaConfig's checks, per-listener overrides, the default listener, and the port
// offsets of the i-th broker of a cluster in one process.
import t from 'tap';
import { hostPort, listenerConfigs, offsetListenerPorts, parseListeners } from '../../../src/server/security/listeners.js';
import { BrokerSecurity, ClusterSecurity } from '../../../src/server/security/broker-security.js';

const parse = (c: Record<string, string>, dflt?: string) => parseListeners(new Map(Object.entries(c)), dflt);

t.test('listeners, the protocol map and advertised endpoints', async (t) => {
  const specs = parse({
    listeners: 'INTERNAL://0.0.0.0:9092,EXTERNAL://[::1]:0,SASL_SSL://127.0.0.1:9094',
    'listener.security.protocol.map': 'INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL',
    'advertised.listeners': 'INTERNAL://kafka:19092,EXTERNAL://localhost:0',
  });
  t.same(
    specs.map((s) => [s.name, s.securityProtocol, s.host, s.port, s.advertisedHost, s.advertisedPort]),
    [
      ['INTERNAL', 'PLAINTEXT', '0.0.0.0', 9092, 'kafka', 19092],
      ['EXTERNAL', 'SASL_SSL', '::1', 0, 'localhost', null],
      ['SASL_SSL', 'SASL_SSL', '127.0.0.1', 9094, '', null],
    ],
  );
  t.same(parse({}), [], 'no listeners config and no default: none');
  t.same(
    parse({ 'advertised.listeners': 'PLAINTEXT://kafka:9092' }, 'PLAINTEXT://127.0.0.1:0').map((s) => [s.name, s.host, s.advertisedHost, s.advertisedPort]),
    [['PLAINTEXT', '127.0.0.1', 'kafka', 9092]],
    'the default listener may be advertised',
  );
});

t.test("KafkaConfig's checks, with its messages", async (t) => {
  const bad: [Record<string, string>, RegExp][] = [
    [{ listeners: 'PLAINTEXT://h:9092,SSL://h:9092' }, /Each listener must have a different port, listeners: PLAINTEXT:\/\/h:9092,SSL:\/\/h:9092/],
    [{ listeners: 'PLAINTEXT://h:1,PLAINTEXT://h:2' }, /Each listener must have a different name/],
    [{ listeners: 'TRACE://h:1' }, /No security protocol defined for listener TRACE/],
    [{ listeners: 'PLAINTEXT://h:1', 'listener.security.protocol.map': 'X:TLS' }, /Invalid listener.security.protocol.map entry 'X:TLS'/],
    [{ listeners: 'PLAINTEXT://h:1', 'advertised.listeners': 'SSL://h:2' }, /advertised.listeners listener names must be equal to or a subset of the ones defined in listeners. Found SSL. The valid options based on the current configuration are PLAINTEXT/],
    [{ listeners: 'PLAINTEXT://h:1', 'advertised.listeners': 'PLAINTEXT://0.0.0.0:1' }, /nonroutable meta-address 0.0.0.0/],
    [{ listeners: 'PLAINTEXT://h:1', 'inter.broker.listener.name': 'INTERNAL' }, /inter.broker.listener.name must be a listener name defined in advertised.listeners/],
    [{ listeners: 'PLAINTEXT:/h:1' }, /Unable to parse PLAINTEXT:\/h:1 to a broker endpoint/],
    [{ listeners: 'PLAINTEXT://h:65536' }, /Invalid port in PLAINTEXT:\/\/h:65536/],
    [{ listeners: ' , ' }, /listeners is empty/],
  ];
  for (const [configs, message] of bad) t.throws(() => parse(configs), message, JSON.stringify(configs));
  t.doesNotThrow(() => parse({ listeners: 'PLAINTEXT://h:0,SSL://h:0' }), 'port 0 may repeat: each gets a free one');
});

t.test('listener.name.<name>.<config> overrides the plain config on that listener only', async (t) => {
  const configs = new Map([
    ['ssl.client.auth', 'none'],
    ['listener.name.external.ssl.client.auth', 'required'],
    ['listener.name.external.sasl.enabled.mechanisms', 'SCRAM-SHA-512'],
  ]);
  t.equal(listenerConfigs(configs, 'EXTERNAL').get('ssl.client.auth'), 'required');
  t.equal(listenerConfigs(configs, 'INTERNAL').get('ssl.client.auth'), 'none');
  const cluster = new ClusterSecurity(new Map(), { users: { alice: 'pw' } }, () => 0);
  const security = new BrokerSecurity(
    new Map([...configs, ['listeners', 'INTERNAL://127.0.0.1:0,EXTERNAL://127.0.0.1:0'], ['listener.security.protocol.map', 'INTERNAL:SASL_PLAINTEXT,EXTERNAL:SASL_PLAINTEXT']]),
    cluster,
    { host: '127.0.0.1', port: 0 },
  );
  t.same(security.listeners.map((l) => [l.spec.name, l.mechanisms]), [
    ['INTERNAL', ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER']],
    ['EXTERNAL', ['SCRAM-SHA-512']],
  ]);
  t.equal(security.scramCredentials, cluster.scramCredentials, "the credentials are the cluster's");
  const primary = new BrokerSecurity(new Map([['listeners', 'A://h:0,B://h:0'], ['listener.security.protocol.map', 'A:PLAINTEXT,B:PLAINTEXT'], ['inter.broker.listener.name', 'b']]), cluster, { host: 'h', port: 0 });
  t.equal(primary.listener.name, 'B', 'inter.broker.listener.name picks the primary listener');
});

t.test('the i-th broker: fixed ports move up by i, port 0 stays', async (t) => {
  t.equal(offsetListenerPorts('PLAINTEXT://h:9092,SSL://[::1]:0,SASL_SSL://h:9093', 2), 'PLAINTEXT://h:9094,SSL://[::1]:0,SASL_SSL://h:9095');
  t.equal(offsetListenerPorts('PLAINTEXT://h:9092', 0), 'PLAINTEXT://h:9092');
  t.throws(() => offsetListenerPorts('PLAINTEXT://h:65535', 1), /past 65535/);
  t.equal(hostPort('::1', 9092), '[::1]:9092');
  t.equal(hostPort('kafka', 9092), 'kafka:9092');
});
