// The crash model the recovery tests rely on: a process crash keeps every write, a power cut keeps
// synced data and dir-synced names, plus maybe a torn prefix of what came after.
import t from 'tap';
import { MemoryFileSystem, SimulatedCrash, seededRandom } from '../../../src/log/disk/memory-file-system.js';
import { writeFileAtomic } from '../../../src/log/disk/file-system.js';

t.test('process crash keeps writes; power cut keeps synced data and synced names', async (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/d');
  const fd = fs.open('/d/a', 'create');
  fs.write(fd, Buffer.from('hello'), 0);
  fs.sync(fd);
  fs.syncDir('/d');
  fs.write(fd, Buffer.from(' world'), 5);
  const b = fs.open('/d/b', 'create');
  fs.write(b, Buffer.from('x'), 0);
  fs.sync(b);
  t.equal(fs.afterCrash({ mode: 'process' }).readFile('/d/a')?.toString(), 'hello world');
  const power = fs.afterCrash({ mode: 'power' });
  t.equal(power.readFile('/d/a')?.toString(), 'hello', 'unsynced data is lost');
  t.equal(power.readFile('/d/b'), null, 'a file whose directory was not synced is lost');
  let torn = 0;
  for (let seed = 0; seed < 50; seed++) {
    const text = fs.afterCrash({ mode: 'power', rng: seededRandom(seed) }).readFile('/d/a')!.toString('latin1');
    if (text !== 'hello' && text !== 'hello world') torn++;
    t.ok(text.startsWith('hello'), 'synced data always survives');
  }
  t.ok(torn > 0, 'some power cuts tear the last write');
});

t.test('writeFileAtomic leaves the old or the new content, never a mix', async (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/d');
  writeFileAtomic(fs, '/d/m', Buffer.from('old'));
  const before = fs.operations;
  writeFileAtomic(fs, '/d/m', Buffer.from('new!'));
  const steps = fs.operations - before;
  for (let k = 0; k <= steps; k++) {
    const f = new MemoryFileSystem();
    f.mkdir('/d');
    writeFileAtomic(f, '/d/m', Buffer.from('old'));
    f.crashAfter(k);
    try {
      writeFileAtomic(f, '/d/m', Buffer.from('new!'));
    } catch (e) {
      if (!(e instanceof SimulatedCrash)) throw e;
    }
    for (let seed = 0; seed < 5; seed++) {
      const text = f.afterCrash({ mode: 'power', rng: seededRandom(seed) }).readFile('/d/m')?.toString();
      t.ok(text === 'old' || text === 'new!', `crash after ${k}: ${text}`);
    }
  }
});
