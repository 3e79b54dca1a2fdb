/**
 * Errors of the control plane with stable codes: the fixture API throws them, the HTTP API maps
 * them to a status and a JSON body `{ "error": code, "message": ... }`.
 */
export const ControlErrorCode = {
  BAD_REQUEST: 'BAD_REQUEST',
  NOT_FOUND: 'NOT_FOUND',
  CLOCK_NOT_CONTROLLABLE: 'CLOCK_NOT_CONTROLLABLE',
  TIMEOUT: 'TIMEOUT',
  CONFLICT: 'CONFLICT',
} as const;

export type ControlErrorCodeValue = (typeof ControlErrorCode)[keyof typeof ControlErrorCode];

const STATUS: Readonly<Record<ControlErrorCodeValue, number>> = {
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  CLOCK_NOT_CONTROLLABLE: 409,
  TIMEOUT: 408,
  CONFLICT: 409,
};

export class ControlError extends Error {
  override readonly name = 'ControlError';
  constructor(
    readonly code: ControlErrorCodeValue,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return STATUS[this.code];
  }
}

export function badRequest(message: string): ControlError {
  return new ControlError(ControlErrorCode.BAD_REQUEST, message);
}
