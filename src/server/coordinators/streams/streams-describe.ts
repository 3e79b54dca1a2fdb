/**
 * StreamsGroupDescribe's view of a streams group, as Kafka's StreamsGroup.asDescribedGroup: the
 * state and epochs, the topology as configured against the topics (null subtopologies while it
 * cannot be configured), and per member its metadata, current and target assignment. The
 * topology description (v1, KIP-1331) is never stored here: status NOT_REQUESTED (0) or
 * NOT_STORED (1).
 */
import { ErrorCode } from '../../../protocol/errors.js';
import { defaultStreamsGroupDescribeResponseDescribedGroup } from '../../../protocol/messages/streams-group-describe.js';
import type { StreamsGroupDescribeResponseDescribedGroup, StreamsGroupDescribeResponseTopicInfo } from '../../../protocol/messages/streams-group-describe.js';
import type { StreamsGroup } from './streams-group.js';
import { tasksList } from './streams-member.js';
import type { TaskTuple } from './streams-member.js';
import type { InternalTopicInfo } from './streams-topology.js';

/** Kafka's streams group assignor name (group.streams.assignors default). */
export const STICKY_ASSIGNOR_NAME = 'sticky';

export function emptyDescribedGroup(groupId: string, errorCode: number, errorMessage: string | null): StreamsGroupDescribeResponseDescribedGroup {
  return { ...defaultStreamsGroupDescribeResponseDescribedGroup(), groupId, errorCode, errorMessage };
}

function assignment(t: TaskTuple) {
  return { activeTasks: tasksList(t.active), standbyTasks: tasksList(t.standby), warmupTasks: tasksList(t.warmup) };
}

export function describeStreamsGroup(group: StreamsGroup, includeTopologyDescription: boolean): StreamsGroupDescribeResponseDescribedGroup {
  const out = emptyDescribedGroup(group.groupId, ErrorCode.NONE, null);
  out.groupState = group.state;
  out.groupEpoch = group.groupEpoch;
  out.assignmentEpoch = group.assignmentEpoch;
  out.assignorName = STICKY_ASSIGNOR_NAME;
  out.topologyDescriptionStatus = includeTopologyDescription ? 1 : 0;
  const topology = group.topology;
  const configured = group.configuredTopology;
  if (topology !== null) {
    const ready = configured !== null && configured.subtopologies !== null;
    const partitionsOf = (name: string, fallback: number): number => {
      const created = configured?.toCreate.find((x) => x.name === name);
      return created?.partitions ?? fallback;
    };
    const info = (x: InternalTopicInfo, numTasks: number): StreamsGroupDescribeResponseTopicInfo => ({
      name: x.name,
      partitions: x.partitions !== 0 ? x.partitions : partitionsOf(x.name, numTasks),
      replicationFactor: x.replicationFactor,
      topicConfigs: [...x.configs].map(([key, value]) => ({ key, value })),
    });
    out.topology = {
      epoch: topology.epoch,
      subtopologies: !ready
        ? null
        : [...topology.subtopologies]
            .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
            .map((s) => {
              const numTasks = configured.subtopologies!.get(s.id)?.numTasks ?? 0;
              return {
                subtopologyId: s.id,
                sourceTopics: [...s.sourceTopics],
                repartitionSinkTopics: [...s.repartitionSinkTopics],
                stateChangelogTopics: s.stateChangelogTopics.map((c) => info(c, numTasks)),
                repartitionSourceTopics: s.repartitionSourceTopics.map((r) => info(r, numTasks)),
              };
            }),
    };
  }
  for (const m of group.members) {
    out.members.push({
      memberId: m.memberId,
      memberEpoch: m.memberEpoch,
      instanceId: m.instanceId,
      rackId: m.rackId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      topologyEpoch: m.topologyEpoch,
      processId: m.processId,
      userEndpoint: m.userEndpoint === null ? null : { ...m.userEndpoint },
      clientTags: [...m.clientTags].map(([key, value]) => ({ key, value })),
      taskOffsets: m.taskOffsets.map((o) => ({ ...o })),
      taskEndOffsets: m.taskEndOffsets.map((o) => ({ ...o })),
      assignment: assignment(m.assigned),
      targetAssignment: assignment(group.targetAssignment(m.memberId)),
      isClassic: false,
    });
  }
  return out;
}
