/**
 * A tiny levelled logger. A dev broker is quiet by default (warn), logs one line per event, and
 * writes to stderr so stdout stays free for the CLI's machine-readable ready line.
 */
export const LogLevels = { error: 0, warn: 1, info: 2, debug: 3 } as const;
export type LogLevel = keyof typeof LogLevels;

export interface Logger {
  error(msg: string): void;
  warn(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
  readonly level: LogLevel;
}

export function isLogLevel(s: string): s is LogLevel {
  return Object.hasOwn(LogLevels, s);
}

export function createLogger(level: LogLevel = 'warn', sink: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const max = LogLevels[level];
  const at = (l: LogLevel) => (msg: string) => {
    if (LogLevels[l] <= max) sink(`${new Date().toISOString()} ${l.toUpperCase()} ${msg}`);
  };
  return { level, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}
