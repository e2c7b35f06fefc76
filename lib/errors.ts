// One error type for everything a user may see. `message` is written for a person and is safe
// to show; internal details go to `cause` and the server log only.
export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options);
    this.details = options?.details;
    this.name = "AppError";
  }
  /** Extra fields for the error body (e.g. the conflicting files of a merge). */
  readonly details?: Record<string, unknown>;
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string) => new AppError("not_found", `${what} not found`);

/** True for an AppError from either module graph (server.ts and Next's bundle each load this file). */
export function isAppError(err: unknown): err is AppError {
  return err instanceof Error && err.name === "AppError" && typeof (err as AppError).code === "string" && (err as AppError).code in ERROR_STATUS;
}
