// `minikafka verify --data-dir DIR`: a sound directory passes (exit 0); a flipped byte in a
// sealed segment, a wrong index entry and a malformed checkpoint are each reported with their
// partition, file, position and offset (exit 5).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { produceOne } from '../helpers/data-path.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { buildBatchSync } from '../../src/protocol/records/index.js';
import { verifyDataDir } from '../../src/log/disk/verify.js';
import { NodeFileSystem } from '../../src/log/disk/node-file-system.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
const RECORDS = 10;
const BATCHES = 48;

function verify(dir: string, ...flags: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, 'verify', '--data-dir', dir, ...flags], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function makeDataDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'minikafka-verify-'));
  const kafka = await MiniKafka.start({ dataDir: dir, topics: [{ name: 'v', partitions: 2, configs: { 'segment.bytes': 1048576 } }] });
  const c = await WireClient.connect(kafka.bootstrapServers);
  // 100 KiB batches, 24 per partition: three segments of Kafka's smallest segment.bytes (1 MiB).
  for (let i = 0; i < BATCHES; i++) {
    const batch = buildBatchSync(Array.from({ length: RECORDS }, (_, r) => ({ key: null, value: Buffer.alloc(10 * 1024, 65 + ((i + r) % 26)), timestamp: 1_700_000_000_000 + i })));
    const resp = await produceOne(c, 'v', batch, { partition: i % 2 });
    if (resp.errorCode !== ErrorCode.NONE) throw new Error(`produce failed: ${resp.errorCode}`);
  }
  c.close();
  await kafka.stop();
  return dir;
}

t.test('a sound directory passes; each kind of damage is reported where it is', async (t) => {
  const dir = await makeDataDir();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const segments = readdirSync(join(dir, 'v-0')).filter((n) => n.endsWith('.log')).sort();
  t.ok(segments.length >= 3, `segment.bytes 1 MiB gave ${segments.length} segments`);

  const clean = verify(dir);
  t.equal(clean.status, 0, clean.stderr);
  t.match(clean.stdout, /2 partitions, \d+ segments, 48 valid batches \(\d+ bytes\) checked: no problems/);

  // A byte in the records of the second segment's second batch: its CRC no longer matches.
  const sealed = join(dir, 'v-0', segments[1]!);
  const log = readFileSync(sealed);
  const firstSize = log.readInt32BE(8) + 12;
  const secondBase = Number(log.readBigInt64BE(firstSize));
  log[firstSize + 100] ^= 0xff;
  writeFileSync(sealed, log);
  // An offset index entry pointing into the middle of a batch.
  const indexFile = join(dir, 'v-1', segments[0]!.replace('.log', '.index'));
  const index = readFileSync(indexFile);
  t.ok(index.length >= 8, 'the first segment of v-1 has index entries');
  index.writeInt32BE(index.readInt32BE(4) + 3, 4);
  writeFileSync(indexFile, index);
  // A malformed leader epoch checkpoint.
  writeFileSync(join(dir, 'v-1', 'leader-epoch-checkpoint'), '0\n1\nnot an entry\n');

  const bad = verify(dir);
  t.equal(bad.status, 5, 'exit status 5 on corruption');
  const lines = bad.stdout.split('\n');
  const crc = lines.find((l) => l.startsWith('v-0') && l.includes(segments[1]!));
  t.ok(crc, bad.stdout);
  t.match(crc!, new RegExp(`${segments[1]} +${firstSize} +${secondBase} +a CRC mismatch in the batch at offset ${secondBase}, position ${firstSize}`));
  t.ok(lines.some((l) => l.startsWith('v-1') && l.includes('.index') && l.includes('not the start of a batch')), 'the index entry');
  t.ok(lines.some((l) => l.startsWith('v-1') && l.includes('leader-epoch-checkpoint') && l.includes('malformed')), 'the checkpoint');
  t.match(bad.stdout, /: 3 problems\n$/);

  // The same, for scripts; and the function the command runs.
  const asJson = JSON.parse(verify(dir, '--json').stdout) as { problems: { partition: string; file: string; position: number; offset: number }[] };
  t.strictSame(asJson.problems.find((p) => p.file === segments[1]), { partition: 'v-0', file: segments[1], position: firstSize, offset: secondBase, problem: `a CRC mismatch in the batch at offset ${secondBase}, position ${firstSize}; nothing from here on can be read (recovery cuts an unflushed tail here)` });
  t.equal(verifyDataDir(new NodeFileSystem(), dir).problems.length, 3, 'index entries past the corrupt batch go with the cut, not reported apart');
});

t.test('flags', async (t) => {
  const missing = verify('/nonexistent/minikafka-data');
  t.equal(missing.status, 1);
  t.match(missing.stderr, /--data-dir \/nonexistent\/minikafka-data: no such directory/);
  const r = spawnSync(process.execPath, [MAIN, 'verify'], { encoding: 'utf8' });
  t.equal(r.status, 1);
  t.match(r.stderr, /--data-dir DIR is required/);
});
