/**
 * A partition-scoped error on Produce fails only the partitions it names, as a leader moving
 * away from one partition does: the request is handled without them and their error answers are
 * added to the response, so the records of the other partitions are appended exactly once.
 */
import type { ProduceRequest, ProduceResponse, ProduceResponsePartitionProduceResponse } from '../../protocol/messages/produce.js';

export interface ProduceSplit {
  /** The request without the failed partitions; null when every partition fails. */
  readonly rest: ProduceRequest | null;
  /** Adds the failed partitions' answers to the response of `rest`. */
  readonly merge: (response: ProduceResponse) => ProduceResponse;
}

/** Splits off the partitions for which `fails(topicName, partition)`; null when none does. */
export function splitProduce(req: ProduceRequest, nameOf: (topicId: string) => string | null, fails: (topic: string, partition: number) => boolean, code: number): ProduceSplit | null {
  const keep: ProduceRequest['topicData'] = [];
  const failed: { name: string; topicId: string; indexes: number[] }[] = [];
  for (const t of req.topicData) {
    const name = t.name !== '' ? t.name : (nameOf(t.topicId) ?? '');
    const bad = t.partitionData.filter((p) => fails(name, p.index));
    if (bad.length === 0) {
      keep.push(t);
      continue;
    }
    failed.push({ name: t.name, topicId: t.topicId, indexes: bad.map((p) => p.index) });
    const good = t.partitionData.filter((p) => !fails(name, p.index));
    if (good.length > 0) keep.push({ ...t, partitionData: good });
  }
  if (failed.length === 0) return null;
  return {
    rest: keep.length === 0 ? null : { ...req, topicData: keep },
    merge(response) {
      const responses = [...response.responses];
      for (const f of failed) {
        const answers = f.indexes.map((i) => failedPartition(i, code));
        const at = responses.findIndex((r) => r.name === f.name && r.topicId === f.topicId);
        if (at >= 0) responses[at] = { ...responses[at]!, partitionResponses: [...responses[at]!.partitionResponses, ...answers] };
        else responses.push({ name: f.name, topicId: f.topicId, partitionResponses: answers });
      }
      return { ...response, responses };
    },
  };
}

function failedPartition(index: number, errorCode: number): ProduceResponsePartitionProduceResponse {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage: null };
}
