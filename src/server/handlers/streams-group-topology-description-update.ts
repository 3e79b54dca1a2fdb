/**
 * StreamsGroupTopologyDescriptionUpdate (key 93), v0: a Streams member sending
 * its topology description for a broker-side plugin (KIP-1331). Kafka 4.4 without such a plugin
 * configured, its default, answers every request UNSUPPORTED_VERSION "The broker has no streams
 * group topology description plugin configured." (checked against it); minikafka has no plugin.
 */
import { StreamsGroupTopologyDescriptionUpdateApi } from '../../protocol/messages/streams-group-topology-description-update.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';

export const streamsGroupTopologyDescriptionUpdateHandler = defineHandler(StreamsGroupTopologyDescriptionUpdateApi, {
  handle() {
    return { throttleTimeMs: 0, errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: 'The broker has no streams group topology description plugin configured.' };
  },
  errorResponse(_ctx, _req, code) {
    return { throttleTimeMs: 0, errorCode: code, errorMessage: null };
  },
});
