/**
 * Older Apache Kafka releases as `--as-version X.Y` emulates them: the API version ranges their
 * brokers advertised (recorded from each release's own message specs by
 * scripts/record-kafka-releases.mjs into kafka-release-ranges.ts) and the feature levels a freshly
 * formatted node of that release reports.
 *
 * The broker then advertises, for each API it serves, the intersection of its own range and the
 * release's, serves nothing else and closes the connection on a version outside it, as that
 * release's broker would (an API it did not know, or a newer version). Where minikafka serves
 * less than the release did (versions below Kafka 4.x's KIP-896 baselines, the ZooKeeper
 * inter-broker APIs), the intersection is smaller than the release's range: DEVIATIONS.md.
 *
 * Corrections to the raw spec ranges, each what that release's broker did at its defaults:
 * - ConsumerGroupHeartbeat / ConsumerGroupDescribe (KIP-848) are stable in the 3.7-3.9 specs but
 *   advertised only when group.coordinator.rebalance.protocols includes "consumer", which it did
 *   not by default before 4.0: left out below 4.0.
 * - Produce is advertised from v0 by 4.x brokers although v0-2 are refused (KAFKA-18659), as
 *   minikafka does.
 *
 * Features (ApiVersions v3+): metadata.version from 3.3 (KIP-778; 3.0-3.2 are recorded in
 * ZooKeeper mode, which reports none), supported from 3.0-IV1 (level 1) to the release's latest
 * production level, finalized at that level. kraft.version (3.9+) has a range starting at 0,
 * which ApiVersions below v4 leaves out, and is finalized at 0 (not listed) on a static quorum.
 * From 4.0 on the feature registry of minikafka itself is reported (see features.ts).
 */
import { RELEASE_RANGES } from './kafka-release-ranges.js';

export interface ReleaseFeature {
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** The finalized level of a fresh node, or 0 when it is not finalized (not listed). */
  readonly finalized: number;
}

export interface KafkaRelease {
  /** "3.6" */
  readonly version: string;
  /** The release the ranges were recorded from ("3.6.2"). */
  readonly recordedFrom: string;
  readonly mode: 'kraft' | 'zookeeper';
  /** API key -> the range advertised. */
  readonly apiRanges: ReadonlyMap<number, { readonly min: number; readonly max: number }>;
  /** The features a fresh node of that release reports; null: minikafka's own (4.x). */
  readonly features: readonly ReleaseFeature[] | null;
}

/** metadata.version's latest production level per 3.x release (MetadataVersion.LATEST_PRODUCTION). */
const METADATA_VERSION_LATEST: Readonly<Record<string, number>> = {
  '3.3': 7,
  '3.4': 8,
  '3.5': 11,
  '3.6': 14,
  '3.7': 19,
  '3.8': 20,
  '3.9': 21,
};

const KIP_848_APIS = [68, 69];
const PRODUCE = 0;

/** The releases `--as-version` takes, oldest first. */
export function knownReleases(): string[] {
  return Object.keys(RELEASE_RANGES);
}

/** Parses "3.6", "3.6.2" or "v3.6" to a known release, or throws with the list of known ones. */
export function kafkaRelease(text: string): KafkaRelease {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(text.trim());
  const key = m === null ? text : `${m[1]}.${m[2]}`;
  const rec = RELEASE_RANGES[key];
  if (rec === undefined) throw new Error(`'${text}' is not a Kafka release minikafka can emulate; known: ${knownReleases().join(', ')}`);
  const major = Number(key.split('.')[0]);
  const apiRanges = new Map<number, { min: number; max: number }>();
  for (const [k, [min, max]] of Object.entries(rec.apis)) {
    const apiKey = Number(k);
    if (major < 4 && KIP_848_APIS.includes(apiKey)) continue;
    apiRanges.set(apiKey, { min: apiKey === PRODUCE && major >= 4 ? 0 : min, max });
  }
  let features: ReleaseFeature[] | null = null;
  if (major < 4) {
    features = [];
    const mv = METADATA_VERSION_LATEST[key];
    if (rec.mode === 'kraft' && mv !== undefined) {
      if (key === '3.9') features.push({ name: 'kraft.version', minVersion: 0, maxVersion: 1, finalized: 0 });
      features.push({ name: 'metadata.version', minVersion: 1, maxVersion: mv, finalized: mv });
    }
  }
  return { version: key, recordedFrom: rec.release, mode: rec.mode, apiRanges, features };
}
