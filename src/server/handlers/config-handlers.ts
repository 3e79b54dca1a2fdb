/** Handlers of topic and broker configuration, client quotas and record deletion. */
import type { AnyHandler } from './handler.js';
import { describeConfigsHandler } from './describe-configs.js';
import { alterConfigsHandler } from './alter-configs.js';
import { incrementalAlterConfigsHandler } from './incremental-alter-configs.js';
import { deleteRecordsHandler } from './delete-records.js';
import { describeClientQuotasHandler } from './describe-client-quotas.js';
import { alterClientQuotasHandler } from './alter-client-quotas.js';

export const CONFIG_HANDLERS: readonly AnyHandler[] = [describeConfigsHandler, alterConfigsHandler, incrementalAlterConfigsHandler, deleteRecordsHandler, describeClientQuotasHandler, alterClientQuotasHandler];
