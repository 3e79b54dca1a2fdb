/** Handlers of topic and broker configuration and of record deletion. */
import type { AnyHandler } from './handler.js';
import { describeConfigsHandler } from './describe-configs.js';
import { alterConfigsHandler } from './alter-configs.js';
import { incrementalAlterConfigsHandler } from './incremental-alter-configs.js';
import { deleteRecordsHandler } from './delete-records.js';

export const CONFIG_HANDLERS: readonly AnyHandler[] = [describeConfigsHandler, alterConfigsHandler, incrementalAlterConfigsHandler, deleteRecordsHandler];
