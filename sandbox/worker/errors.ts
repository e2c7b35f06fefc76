// Typed exits of the worker and its tools: each carries the message a person or the model sees.

/** Stop now (interrupt command, SIGTERM): abort the model call and the running command, exit 0. */
export class Interrupted extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "Interrupted";
  }
}

/** The turn used up its model calls (config.maxTurns); the agent goes idle until the next message. */
export class LimitsExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LimitsExceeded";
  }
}

/**
 * The model call failed for good (gateway refusal, API error after the retries, a refusal by the
 * model); the agent goes idle. `message` is the idle reason, `report` the error event's text.
 */
export class ModelError extends Error {
  constructor(
    message: string,
    readonly report = `Model call failed: ${message}`,
  ) {
    super(message);
    this.name = "ModelError";
  }
}

/** A tool failed in a way the model can act on: the message goes back to it as an error result. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolError";
  }
}

/** The channel answered with an HTTP error status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`host answered ${status}: ${body.slice(0, 500)}`);
    this.name = "HttpError";
  }
}
