import { randomBytes } from "crypto";
import { AwsError } from "../../aws-error";

/**
 * Task tokens of `.waitForTaskToken` states: a token is handed out in `$$.Task.Token`, and
 * SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat with it reach the waiting task.
 */

export interface WaitingTask {
  executionArn: string;
  succeed(output: unknown): void;
  fail(error: string | undefined, cause: string | undefined): void;
  heartbeat(): void;
}

const TOKEN_FORMAT = /^[A-Za-z0-9_-]{64}$/;

export class TaskTokens {
  private readonly waiting = new Map<string, WaitingTask>();

  mint(): string {
    return randomBytes(48).toString("base64url");
  }

  register(token: string, task: WaitingTask): void {
    this.waiting.set(token, task);
  }

  release(token: string): void {
    this.waiting.delete(token);
  }

  /** Tasks waiting for a token, by token (`serve` shows them). */
  pending(): ReadonlyMap<string, WaitingTask> {
    return this.waiting;
  }

  succeed(token: string, output: unknown): void {
    this.take(token).succeed(output);
  }

  fail(token: string, error?: string, cause?: string): void {
    this.take(token).fail(error, cause);
  }

  heartbeat(token: string): void {
    this.waitingTask(token).heartbeat();
  }

  /** The task waiting for `token`; throws what SendTask* answers for a malformed or unknown token. */
  waitingTask(token: string): WaitingTask {
    if (typeof token !== "string" || token.length === 0 || token.length > 2048) {
      throw AwsError.validation("1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member must have length between 1 and 2048");
    }
    if (!TOKEN_FORMAT.test(token)) throw new AwsError("InvalidToken", "Invalid Token: 'Invalid token'");
    const task = this.waiting.get(token);
    if (!task) throw new AwsError("TaskDoesNotExist", "Task Does Not Exist: no task is waiting for this token (it finished, timed out or never existed)");
    return task;
  }

  private take(token: string): WaitingTask {
    const task = this.waitingTask(token);
    this.waiting.delete(token);
    return task;
  }
}
