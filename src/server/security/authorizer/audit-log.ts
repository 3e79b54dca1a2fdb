/**
 * The authorizer's audit trail as Kafka's `kafka.authorizer.logger` writes it (StandardAuthorizerData
 * .logAuditMessage), one line per decision, in log4j's default layout "[%d] %p %m (%c)":
 *   [2026-12-02 10:00:00,123] INFO Principal = User:bob is Denied operation = READ from host = 127.0.0.1
 *   on resource = Topic:LITERAL:orders for request = Fetch with resourceRefCount = 1 based on rule
 *   DefaultDeny (kafka.authorizer.logger)
 * Levels as Kafka's: a denial the client asked for is INFO, an allowed access DEBUG, decisions made
 * only to compute authorized operations or to filter a listing TRACE. The configured level picks
 * what is written (default debug: every real allow and deny). Timestamps are UTC.
 */
export const AuditLevel = { info: 0, debug: 1, trace: 2 } as const;
export type AuditLevelName = keyof typeof AuditLevel;

export interface AuditRecord {
  readonly principal: string;
  readonly allowed: boolean;
  readonly operation: string;
  readonly host: string;
  /** "<ResourceType>:<PatternType>:<name>", e.g. "Topic:LITERAL:orders". */
  readonly resource: string;
  /** ApiKeys name, e.g. "Fetch". */
  readonly request: string;
  readonly resourceRefCount: number;
  /** SuperUser, DefaultAllow, DefaultDeny or MatchingAcl(acl=StandardAcl[...]). */
  readonly rule: string;
  readonly level: AuditLevelName;
}

export interface AuditLogger {
  /** Whether a record at this level would be written: lets the caller skip building it. */
  enabled(level: AuditLevelName): boolean;
  log(record: AuditRecord): void;
}

export function auditMessage(r: AuditRecord): string {
  return (
    `Principal = ${r.principal} is ${r.allowed ? 'Allowed' : 'Denied'} operation = ${r.operation} ` +
    `from host = ${r.host} on resource = ${r.resource} for request = ${r.request} ` +
    `with resourceRefCount = ${r.resourceRefCount} based on rule ${r.rule}`
  );
}

/** log4j's %d default: "yyyy-MM-dd HH:mm:ss,SSS". */
export function log4jTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-12-02T10:00:00.123Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)},${iso.slice(20, 23)}`;
}

export function auditLine(r: AuditRecord, nowMs: number): string {
  return `[${log4jTimestamp(nowMs)}] ${r.level.toUpperCase()} ${auditMessage(r)} (kafka.authorizer.logger)`;
}

/** An audit logger writing lines to a sink (a file stream, stderr, or an array in a test). */
export function createAuditLogger(level: AuditLevelName, write: (line: string) => void, now: () => number = Date.now): AuditLogger {
  const max = AuditLevel[level];
  return {
    enabled: (l) => AuditLevel[l] <= max,
    log: (r) => {
      if (AuditLevel[r.level] <= max) write(auditLine(r, now()));
    },
  };
}
