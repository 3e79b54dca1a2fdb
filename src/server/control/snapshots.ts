/**
 * Named snapshots: a reset (reset.ts) to a state a test prepared rather than to the start.
 * `save(name)` takes every topic with its records (topic-snapshot.ts: references to the log's
 * immutable batches, no copy) and every setting a reset puts back (restorable.ts: dynamic configs,
 * quotas, client metrics subscriptions, group configs, feature levels, ACLs, SCRAM credentials);
 * `restore(name)` removes every topic and makes the saved ones again, under their saved ids, then
 * makes the group and transaction coordinators anew from the restored internal topics, as a
 * durable broker loads them at start. So committed offsets are those of the snapshot, and so are
 * groups, transactional ids and share-group state.
 *
 * Out of scope, as for a reset: live group membership (groups come back Empty, with their
 * generation; members rejoin, as after a broker restart), fetch sessions, quota windows and pushed
 * telemetry (emptied), faults (cleared; chaos as configured at start), the clock (not turned back;
 * a frozen one is resumed) and producer ids (they keep counting up). A transaction open when the
 * snapshot was taken comes back open, as after a durable broker's restart: its producer ends it,
 * or the coordinator aborts it when it times out.
 *
 * Snapshots live in memory with the control plane: a durable broker is refused (its state is its
 * data directory's), as reset refuses it.
 */
import type { ControlTarget } from './control-target.js';
import { ControlError, ControlErrorCode, badRequest } from './control-error.js';
import { checkResettable } from './reset.js';
import { captureAll } from './restorable.js';
import type { Restorable } from './restorable.js';
import { captureTopics, restoreTopic, sizeOf } from './topic-snapshot.js';
import type { SavedTopic } from './topic-snapshot.js';
import type { Topic } from '../cluster/topics.js';

export interface SnapshotInfo {
  readonly name: string;
  /** When it was saved (the broker clock, ms since the epoch). */
  readonly savedAt: number;
  /** Topics saved, internal ones (committed offsets, transactions) included. */
  readonly topics: number;
  readonly partitions: number;
  /** Record batches the snapshot refers to, and their bytes (shared with the logs, not copied). */
  readonly batches: number;
  readonly bytes: number;
}

export interface SnapshotRestoreReport {
  readonly name: string;
  readonly topicsDeleted: number;
  readonly topicsRestored: number;
  /** Groups and committed offsets loaded back from __consumer_offsets; transactional ids from __transaction_state. */
  readonly groups: number;
  readonly offsets: number;
  readonly transactions: number;
  /** Settings put back ("dynamic broker configs", "ACLs of broker 1"), captured or as at start. */
  readonly restored: readonly string[];
}

interface Snapshot {
  readonly info: SnapshotInfo;
  readonly topics: readonly SavedTopic[];
  readonly putSettings: () => string[];
}

/** Kafka's topic name characters, so a name is safe in a URL path and on a command line. */
const NAME = /^[A-Za-z0-9._-]{1,249}$/;

export class SnapshotStore {
  readonly #snapshots = new Map<string, Snapshot>();
  /** The highest leader epoch seen per "topic id/partition" of a deleted topic: see restoreTopic. */
  readonly #epochs = new Map<string, number>();
  /** Topic ids some snapshot held: only their epochs are worth remembering. */
  readonly #savedIds = new Set<string>();

  constructor(
    private readonly target: ControlTarget,
    private readonly settings: readonly Restorable[],
  ) {
    target.cluster.topics.onDeleted((t) => this.#seen(t));
  }

  save(name: string): SnapshotInfo {
    checkName(name);
    checkResettable(this.target);
    const topics = captureTopics(this.target.cluster);
    const info: SnapshotInfo = { name, savedAt: this.target.cluster.clock.now(), topics: topics.length, ...sizeOf(topics) };
    // Saving again under a name replaces what it held, as a file written again.
    this.#snapshots.set(name, { info, topics, putSettings: captureAll(this.settings) });
    for (const t of topics) this.#savedIds.add(t.id);
    return info;
  }

  list(): SnapshotInfo[] {
    return [...this.#snapshots.values()].map((s) => s.info);
  }

  get(name: string): SnapshotInfo {
    return this.#get(name).info;
  }

  delete(name: string): boolean {
    return this.#snapshots.delete(name);
  }

  /** The cluster part of a restore; the control plane does faults, brokers and the clock. */
  restore(name: string): SnapshotRestoreReport {
    const snap = this.#get(name);
    checkResettable(this.target);
    const target = this.target;
    // Coordinators first (as reset): their parked requests are answered and their timers stop
    // before their internal topics go.
    target.resetCoordinators();
    const registry = target.cluster.topics;
    const live = [...registry.all()];
    for (const t of live) registry.delete(t);
    // Settings before topics, so that the restored logs get the broker defaults of the snapshot.
    const restored = snap.putSettings();
    for (const t of snap.topics) restoreTopic(target.cluster, t, (i) => this.#epochs.get(`${t.id}/${i}`) ?? -1);
    const loaded = target.reloadCoordinators();
    return { name, topicsDeleted: live.length, topicsRestored: snap.topics.length, ...loaded, restored };
  }

  #get(name: string): Snapshot {
    const snap = this.#snapshots.get(name);
    if (snap === undefined) throw new ControlError(ControlErrorCode.NOT_FOUND, `no snapshot '${name}'${this.#snapshots.size === 0 ? '' : ` (there are: ${[...this.#snapshots.keys()].join(', ')})`}`);
    return snap;
  }

  #seen(topic: Topic): void {
    if (!this.#savedIds.has(topic.id)) return;
    topic.partitions.forEach((p, i) => {
      const key = `${topic.id}/${i}`;
      this.#epochs.set(key, Math.max(this.#epochs.get(key) ?? -1, p.leaderEpoch));
    });
  }
}

function checkName(name: string): void {
  if (!NAME.test(name)) throw badRequest(`a snapshot name is 1-249 characters of [A-Za-z0-9._-], got '${name}'`);
}
