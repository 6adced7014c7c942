/** The logging the reconciler needs; pino's Logger satisfies it. Objects passed in are structured fields and
 * must never carry a password. */
export interface ReconcileLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: ReconcileLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
