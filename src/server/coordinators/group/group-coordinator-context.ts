/**
 * What the parts of the group coordinator share (group-coordinator.ts holds it and hands it to
 * classic-dispatch.ts, consumer-dispatch.ts, group-listing.ts and group-housekeeping.ts): the
 * groups by id, the __consumer_offsets writer, the committed offsets, the settings and the
 * environments the groups are made with.
 */
import type { ListGroupsResponseListedGroup } from '../../../protocol/messages/list-groups.js';
import type { Clock } from '../../../util/clock.js';
import type { Logger } from '../../../util/logger.js';
import type { TopicRegistry } from '../../cluster/topics.js';
import type { StreamsGroup } from '../streams/streams-group.js';
import type { ClassicGroup, ClassicGroupEnv } from './classic-group.js';
import type { ConsumerGroup, ConsumerGroupEnv } from './consumer-group.js';
import type { GroupCoordinatorSettings } from './group-coordinator-settings.js';
import type { OffsetStore } from './offset-store.js';
import type { OffsetsTopicWriter } from './offsets-topic.js';
import type { TxnOffsetStore } from './txn-offsets.js';

export type GroupType = 'classic' | 'consumer';

export type Group = ClassicGroup | ConsumerGroup | StreamsGroup;

/** Every operation Kafka's ACL model allows on a GROUP (READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS) as a bit field. */
export const GROUP_AUTHORIZED_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11);

/**
 * Groups of another kind kept outside this coordinator (share groups, coordinators/share), which
 * ListGroups, DescribeGroups and DeleteGroups cover with the classic and consumer groups; wired by
 * the composition root. One group id is one group of one type across both.
 */
export interface GroupKindHook {
  has(groupId: string): boolean;
  list(states: ReadonlySet<string>, types: ReadonlySet<string>): ListGroupsResponseListedGroup[];
  /** The DeleteGroups error code, or null when the id is not one of these groups. */
  delete(groupId: string): number | null;
}

export interface GroupCoordinatorContext {
  readonly groups: Map<string, Group>;
  readonly log: OffsetsTopicWriter;
  readonly offsets: OffsetStore;
  readonly txnOffsets: TxnOffsetStore;
  readonly settings: GroupCoordinatorSettings;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly topics: TopicRegistry;
  readonly classicEnv: ClassicGroupEnv;
  readonly consumerEnv: ConsumerGroupEnv;
  /** Share groups (see GroupKindHook), set by the composition root after construction. */
  otherGroups(): GroupKindHook | null;
  closed(): boolean;
  /** Group metadata records written so far (tells whether an operation wrote one). */
  groupWrites(): number;
  /** Registers a group and makes sure the housekeeping timer runs. */
  addGroup(group: Group): void;
  /** Kills a group (parked requests answered) and forgets it. */
  removeGroup(group: Group): void;
}
