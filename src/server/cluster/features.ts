/**
 * The cluster's feature levels (KIP-584, KIP-1022): what the brokers support and what is finalized,
 * as ApiVersions reports them and UpdateFeatures changes them. Kafka keeps them in the metadata log
 * (FeatureControlManager); here they are one map owned by the cluster.
 *
 * Kafka 4.4 on a freshly formatted single node (checked against the reference broker):
 *
 *   feature                           supported   finalized   here
 *   metadata.version                  7-33        33 (4.4-IV2) same
 *   kraft.version                     0-1         1           same (a standalone, dynamic quorum)
 *   group.version                     0-1         1           same (consumer protocol, KIP-848)
 *   eligible.leader.replicas.version  0-1         1           same
 *   transaction.version               0-2         2           same (transactions V2, KIP-890 part 2)
 *   share.version                     0-2         2           same (1: share groups, KIP-932; 2: RENEW
 *                                                             acknowledgements, KIP-1222)
 *   streams.version                   0-1         1           same (streams groups, KIP-1071)
 *
 * A feature at level 0 is not finalized: Kafka leaves it out of the finalized list.
 *
 * The level a cluster starts at can be chosen per feature, as `kafka-storage format --feature
 * NAME=LEVEL` does on Kafka: a broker config named after the feature (e.g. `--config
 * transaction.version=1` to run transactions V1). A level outside the supported range is ignored
 * with a warning; metadata.version and kraft.version always start at their default.
 *
 * UpdateFeatures rules and words (FeatureControlManager.updateFeature, observed on Kafka 4.4): a
 * negative level, an unknown upgrade type, an unknown feature, a level outside the supported range,
 * a downgrade without a downgrade type, a kraft.version downgrade and any metadata.version
 * downgrade are INVALID_UPDATE_VERSION; the first failure fails the whole request. A downgrade of
 * the other features is allowed with SAFE_DOWNGRADE or UNSAFE_DOWNGRADE.
 */
import { KafkaError } from '../../protocol/errors.js';

export const UpgradeType = { UPGRADE: 1, SAFE_DOWNGRADE: 2, UNSAFE_DOWNGRADE: 3 } as const;

export const Feature = {
  METADATA_VERSION: 'metadata.version',
  KRAFT_VERSION: 'kraft.version',
  GROUP_VERSION: 'group.version',
  TRANSACTION_VERSION: 'transaction.version',
  SHARE_VERSION: 'share.version',
  STREAMS_VERSION: 'streams.version',
  ELIGIBLE_LEADER_REPLICAS_VERSION: 'eligible.leader.replicas.version',
} as const;

interface FeatureDef {
  readonly name: string;
  readonly minVersion: number;
  /** The highest level minikafka implements (Kafka 4.4's may be higher, see the table above). */
  readonly maxVersion: number;
  /** The level a new cluster starts at. */
  readonly initial: number;
  /** kraft.version cannot go down at all; metadata.version not without losing metadata. */
  readonly downgrade: 'allowed' | 'never' | 'metadata';
}

/** In the order Kafka 4.4 lists them in ApiVersions. */
/**
 * Kafka 4.4 lists finalized features in the iteration order of the HashMap that holds them, which
 * puts share.version before metadata.version (recorded: test/e2e/admin-cluster.kafka-4.4.json);
 * the same order here, so that the answer is byte for byte Kafka's.
 */
const KAFKA_FINALIZED_ORDER = ['group.version', 'kraft.version', 'share.version', 'metadata.version', 'streams.version', 'transaction.version', 'eligible.leader.replicas.version'];

const FEATURES: readonly FeatureDef[] = [
  { name: Feature.GROUP_VERSION, minVersion: 0, maxVersion: 1, initial: 1, downgrade: 'allowed' },
  { name: Feature.KRAFT_VERSION, minVersion: 0, maxVersion: 1, initial: 1, downgrade: 'never' },
  { name: Feature.METADATA_VERSION, minVersion: 7, maxVersion: 33, initial: 33, downgrade: 'metadata' },
  { name: Feature.SHARE_VERSION, minVersion: 0, maxVersion: 2, initial: 2, downgrade: 'allowed' },
  { name: Feature.STREAMS_VERSION, minVersion: 0, maxVersion: 1, initial: 1, downgrade: 'allowed' },
  { name: Feature.TRANSACTION_VERSION, minVersion: 0, maxVersion: 2, initial: 2, downgrade: 'allowed' },
  { name: Feature.ELIGIBLE_LEADER_REPLICAS_VERSION, minVersion: 0, maxVersion: 1, initial: 1, downgrade: 'allowed' },
];
const FINALIZED_ORDER: readonly FeatureDef[] = [...FEATURES].sort((a, b) => rank(a.name) - rank(b.name));
function rank(name: string): number {
  const i = KAFKA_FINALIZED_ORDER.indexOf(name);
  return i < 0 ? KAFKA_FINALIZED_ORDER.length : i;
}

export interface SupportedFeature {
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
}

export interface FinalizedFeature {
  readonly name: string;
  readonly level: number;
}

export interface FeatureUpdate {
  readonly feature: string;
  readonly maxVersionLevel: number;
  readonly upgradeType: number;
}

/** The node id Kafka names in its "Local controller N" messages: the controller's. */
type ControllerId = () => number;

export class FeatureRegistry {
  private readonly levels = new Map<string, number>(FEATURES.map((f) => [f.name, f.initial]));
  /** Kafka reports the metadata offset of the last feature change; clients only keep the newest. */
  #epoch = 1n;
  private readonly listeners: ((name: string, level: number) => void)[] = [];

  /**
   * `initial` overrides the starting level of features (see above); returns through `rejected`
   * the entries it ignored, with why, for the caller to log.
   */
  constructor(
    private readonly controllerId: ControllerId,
    initial: ReadonlyMap<string, string> = new Map(),
    rejected: (why: string) => void = () => {},
  ) {
    for (const [name, raw] of initial) {
      const def = FEATURES.find((f) => f.name === name);
      if (def === undefined || def.downgrade !== 'allowed') continue;
      const level = Number(raw);
      if (!Number.isSafeInteger(level) || level < def.minVersion || level > def.maxVersion) {
        rejected(`${name}=${raw} is not a level of ${name} (${def.minVersion}-${def.maxVersion}); starting at ${def.initial}`);
        continue;
      }
      this.levels.set(name, level);
    }
  }

  get epoch(): bigint {
    return this.#epoch;
  }

  supported(): SupportedFeature[] {
    return FEATURES.map((f) => ({ name: f.name, minVersion: f.minVersion, maxVersion: f.maxVersion }));
  }

  /** Features at a level above 0, in Kafka's order. */
  finalized(): FinalizedFeature[] {
    return FINALIZED_ORDER.map((f) => ({ name: f.name, level: this.level(f.name) })).filter((f) => f.level > 0);
  }

  /** The finalized level of a feature, 0 when it is not finalized. */
  level(name: string): number {
    return this.levels.get(name) ?? 0;
  }

  /** Every feature's level now (0: not finalized), for the control plane's reset to restore. */
  snapshot(): Map<string, number> {
    return new Map(this.levels);
  }

  /**
   * Puts the levels of a snapshot back, downgrades included (the control plane's reset between
   * tests, not a client request: no check); returns whether a level changed.
   */
  restore(levels: ReadonlyMap<string, number>): boolean {
    let changed = false;
    for (const f of FEATURES) {
      const level = levels.get(f.name) ?? 0;
      if (this.level(f.name) === level) continue;
      this.levels.set(f.name, level);
      changed = true;
      for (const l of this.listeners) l(f.name, level);
    }
    if (changed) this.#epoch++;
    return changed;
  }

  /** Called after a level changes (a feature gating behaviour elsewhere may react). */
  onChange(listener: (name: string, level: number) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Checks every update, then applies them all unless validateOnly; throws the first problem as
   * INVALID_UPDATE_VERSION with Kafka's message (without the "update failed for all" prefix).
   */
  update(updates: readonly FeatureUpdate[], validateOnly: boolean): void {
    for (const u of updates) this.check(u);
    if (validateOnly) return;
    let changed = false;
    for (const u of updates) {
      if (this.level(u.feature) === u.maxVersionLevel) continue;
      this.levels.set(u.feature, u.maxVersionLevel);
      changed = true;
      for (const l of this.listeners) l(u.feature, u.maxVersionLevel);
    }
    if (changed) this.#epoch++;
  }

  private check(u: FeatureUpdate): void {
    const invalid = (why: string) => new KafkaError('INVALID_UPDATE_VERSION', `Invalid update version ${u.maxVersionLevel} for feature ${u.feature}. ${why}`);
    if (u.maxVersionLevel < 0) throw invalid('A feature version cannot be less than 0.');
    if (!Object.values(UpgradeType).includes(u.upgradeType as 1 | 2 | 3)) throw invalid('The controller does not support the given upgrade type.');
    const def = FEATURES.find((f) => f.name === u.feature);
    const controller = this.controllerId();
    if (def === undefined) throw invalid(`Local controller ${controller} does not support this feature.`);
    if (u.maxVersionLevel < def.minVersion || u.maxVersionLevel > def.maxVersion) {
      throw invalid(`Local controller ${controller} only supports versions ${def.minVersion}-${def.maxVersion}`);
    }
    const current = this.level(u.feature);
    if (u.maxVersionLevel >= current) return;
    if (def.downgrade === 'metadata') {
      const why = u.upgradeType === UpgradeType.UNSAFE_DOWNGRADE ? 'Unsafe metadata downgrade is not supported in this version.' : 'Refusing to perform the requested downgrade because it might delete metadata information.';
      throw new KafkaError('INVALID_UPDATE_VERSION', `Unsupported metadata.version downgrade from ${current} to ${u.maxVersionLevel}. ${why}`);
    }
    if (def.downgrade === 'never') throw invalid("Can't downgrade the version of this feature.");
    if (u.upgradeType === UpgradeType.UPGRADE) throw invalid("Can't downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade.");
  }
}
