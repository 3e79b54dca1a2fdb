import t from 'tap';
import { PerformanceObserver } from 'node:perf_hooks';
import { FrameMemory, LARGE_FRAME_BYTES, NUDGE_STEP_BYTES } from '../../../src/server/net/frame-memory.js';

const MB = 1024 * 1024;

t.test('large frames are SharedArrayBuffers, small ones ordinary Buffers', async (t) => {
  const m = new FrameMemory(() => {});
  const small = m.allocate(LARGE_FRAME_BYTES - 1);
  const large = m.allocate(LARGE_FRAME_BYTES);
  t.ok(small.buffer instanceof ArrayBuffer, 'a small frame is not counted');
  t.ok(large.buffer instanceof SharedArrayBuffer, 'a large frame is shared memory');
  t.equal(large.length, LARGE_FRAME_BYTES);
  t.equal(m.liveBytes, LARGE_FRAME_BYTES, 'only the large frame is accounted');
  // A Buffer over shared memory behaves as any Buffer for what the broker does with frames.
  large.writeInt32BE(0x01020304, 8);
  t.equal(large.subarray(8, 12).readInt32BE(0), 0x01020304);
});

t.test('memory that is kept is collected each time it doubles, not each 64 MB', async (t) => {
  let nudges = 0;
  const m = new FrameMemory(() => nudges++);
  const at: number[] = [];
  for (let mb = 8; mb <= 1024; mb += 8) {
    const before = nudges;
    m.account(8 * MB);
    if (nudges !== before) at.push(mb);
  }
  t.same(at, [64, 128, 256, 512, 1024], 'nudged at 64 MB, then each time the held memory doubled');
  t.equal(m.nudges, 5);
});

t.test('memory that is let go is found within 64 MB of allocation', async (t) => {
  let nudges = 0;
  const m = new FrameMemory(() => nudges++);
  // A budget of 32 MB: what is older than the last 32 MB is collected (spilled or flushed).
  const held: number[] = [];
  for (let i = 0; i < 128; i++) {
    m.account(8 * MB);
    held.push(8 * MB);
    while (held.length > 4) m.collected(held.shift()!);
  }
  // 1 GB allocated: one nudge each 64 MB, since what is older never exceeds 64 MB.
  t.equal(nudges, 1024 / 64);
  t.ok(m.liveBytes <= 4 * 8 * MB);
});

t.test('with V8: dropped frames are collected by the nudges alone; kept ones cost few collections', async (t) => {
  let majors = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      // kind 4 is a mark-compact (perf_hooks' NODE_PERFORMANCE_GC_MAJOR).
      if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === 4) majors++;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  t.teardown(() => obs.disconnect());
  const m = new FrameMemory();
  const size = 8 * MB;
  // Dropped: 1 GB allocated 8 MB per turn of the event loop, as a broker reading produce frames
  // that are let go (flushed, spilled) does; none kept. Pages never written are not resident.
  let maxLive = 0;
  for (let i = 0; i < 128; i++) {
    m.allocate(size);
    maxLive = Math.max(maxLive, m.liveBytes);
    await new Promise((r) => setImmediate(r));
  }
  // Collection is incremental and finalizers run in a later task: wait, generously (a loaded
  // 2-core machine), for the rest to be found.
  const deadline = Date.now() + 30_000;
  while (m.liveBytes > NUDGE_STEP_BYTES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.comment(`1 GB dropped: ${m.nudges} nudges, ${majors} mark-compacts, at most ${maxLive / MB} MB live, ${m.liveBytes / MB} MB at the end`);
  t.ok(m.nudges >= 8, 'nudged at least every 128 MB');
  t.ok(maxLive <= 4 * NUDGE_STEP_BYTES, `frame memory not collected stayed within 256 MB (${maxLive / MB} MB)`);
  t.ok(m.liveBytes <= NUDGE_STEP_BYTES, `dropped frames were collected (${m.liveBytes / MB} MB live at the end)`);
  // Kept: 512 MB more, all held: the doubling policy nudges 4 times (at 64, 128, 256, 512 MB held
  // beyond what was live), where V8's own accounting would have run 8 collections.
  const kept: Buffer[] = [];
  const nudgesBefore = m.nudges;
  for (let i = 0; i < 64; i++) kept.push(m.allocate(size));
  t.ok(m.nudges - nudgesBefore <= 5, `${m.nudges - nudgesBefore} nudges for 512 MB kept`);
  t.equal(kept.length, 64);
});
