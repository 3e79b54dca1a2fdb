/**
 * Where a new partition's replicas go, in the striped pattern of Kafka's StripedReplicaPlacer
 * (the KRaft controller's placer), without its randomness so that tests can rely on it:
 *
 * - brokers are grouped by rack (brokers without a rack form one group, sorted first), racks sorted
 *   by name, brokers in a rack sorted by id with the live ones first;
 * - partition i takes its replicas from the racks in turn, starting at rack (start + i), so that
 *   consecutive replicas sit in different racks while racks remain; within a rack, the j-th pick
 *   for partition i is broker (start + i + j) of that rack, so leaders and followers stripe over
 *   the brokers: with 3 brokers and no racks, [1,2,3], [2,3,1], [3,1,2], ...;
 * - the leader (first replica) must be live: when it is not, the first live replica takes its place.
 *
 * Kafka starts each topic at a random offset; `start` plays that part (the cluster passes a counter
 * of placed topics, so topics with one partition still spread their leaders).
 */
export interface PlacementBroker {
  readonly nodeId: number;
  readonly rack: string | null;
  readonly live: boolean;
}

/** The replica lists of partitions `first` .. `first + count - 1`; `rf` must not exceed the brokers. */
export function placeReplicas(brokers: readonly PlacementBroker[], first: number, count: number, rf: number, start: number): number[][] {
  const racks = rackGroups(brokers);
  const out: number[][] = [];
  for (let i = first; i < first + count; i++) out.push(placeOne(racks, rf, start + i));
  return out;
}

function rackGroups(brokers: readonly PlacementBroker[]): number[][] {
  const byRack = new Map<string, PlacementBroker[]>();
  for (const b of brokers) {
    // '' sorts before every rack name, as Kafka sorts the empty rack first.
    const key = b.rack === null ? '' : `\u0001${b.rack}`;
    let list = byRack.get(key);
    if (list === undefined) byRack.set(key, (list = []));
    list.push(b);
  }
  return [...byRack.keys()]
    .sort()
    .map((k) =>
      byRack
        .get(k)!
        .sort((a, b) => Number(b.live) - Number(a.live) || a.nodeId - b.nodeId)
        .map((b) => b.nodeId),
    );
}

function placeOne(racks: readonly number[][], rf: number, offset: number): number[] {
  const replicas: number[] = [];
  const picks = racks.map(() => 0);
  const total = racks.reduce((n, r) => n + r.length, 0);
  const want = Math.min(rf, total);
  for (let k = 0; replicas.length < want; k++) {
    const r = (offset + k) % racks.length;
    const rack = racks[r]!;
    if (picks[r]! >= rack.length) continue;
    replicas.push(rack[(offset + picks[r]!) % rack.length]!);
    picks[r]!++;
  }
  return replicas;
}

/** Moves the first live replica to the front, as Kafka never places a leader on a fenced broker. */
export function liveLeaderFirst(replicas: number[], isLive: (id: number) => boolean): number[] {
  const i = replicas.findIndex(isLive);
  if (i <= 0) return replicas;
  return [replicas[i]!, ...replicas.slice(0, i), ...replicas.slice(i + 1)];
}
