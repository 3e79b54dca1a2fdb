/**
 * `minikafka verify --data-dir DIR`: checks every segment, index and checkpoint of a durable
 * data directory (src/log/disk/verify.ts) without changing it, and lists each problem with its
 * partition, file, byte position and offset. Exit status 0 when the directory is sound, 5 when
 * something is corrupt, 1 for bad flags or a missing directory. Run it on a stopped broker's
 * directory: a running broker may be mid-write.
 */
import { verifyDataDir } from '../../log/disk/verify.js';
import { NodeFileSystem } from '../../log/disk/node-file-system.js';
import { EXIT, guarded, helpDone, strictParser } from '../command-kit.js';
import { UsageError } from '../args.js';
import { json, out, table } from '../output.js';

/** The exit status for "corruption found" (see the README's exit status table). */
export const EXIT_CORRUPT = 5;

export function run(argv: string[]): Promise<number> {
  return guarded(async () => {
    const a = await strictParser('verify', argv, '$0 --data-dir DIR\n\nChecks every segment (batch lengths, offsets, CRCs), index and checkpoint of a data directory and reports what is corrupt.')
      .option('data-dir', { type: 'string', describe: 'The directory a broker ran with (`minikafka start --data-dir`)' })
      .option('json', { type: 'boolean', default: false, describe: 'Machine-readable output (JSON)' })
      .example('$0 --data-dir ./kafka-data', 'exit status 0 if sound, 5 if anything is corrupt')
      .parseAsync().then(helpDone);
    const dir = a['data-dir'] as string | undefined;
    if (dir === undefined || dir.trim() === '') throw new UsageError('--data-dir DIR is required');
    const fs = new NodeFileSystem();
    if (!fs.isDirectory(dir)) throw new UsageError(`--data-dir ${dir}: no such directory`);
    const report = verifyDataDir(fs, dir);
    if (a.json === true) json(report);
    else {
      const summary = `${report.partitions} partitions, ${report.segments} segments, ${report.batches} valid batches (${report.bytes} bytes) checked`;
      if (report.problems.length === 0) out(`${summary}: no problems\n`);
      else {
        out(table(['PARTITION', 'FILE', 'POSITION', 'OFFSET', 'PROBLEM'], report.problems.map((p) => [p.partition, p.file, p.position, p.offset, p.problem])));
        out(`${summary}: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}\n`);
      }
    }
    return report.problems.length === 0 ? EXIT.OK : EXIT_CORRUPT;
  });
}
