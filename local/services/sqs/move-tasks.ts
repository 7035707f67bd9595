import { randomUUID } from "crypto";
import type { Clock } from "../../clock";
import { sqsErrors } from "./errors";
import type { Queue, StoredMessage } from "./queue";

export type MoveTaskStatus = "RUNNING" | "COMPLETED" | "CANCELLING" | "CANCELLED" | "FAILED";

export interface MoveTask {
  readonly handle: string;
  readonly sourceArn: string;
  readonly destinationArn?: string;
  readonly maxNumberOfMessagesPerSecond?: number;
  status: MoveTaskStatus;
  moved: number;
  readonly toMove: number;
  readonly startedAt: number;
  failureReason?: string;
}

/** Without a rate AWS picks one from the backlog; locally a task moves up to this many a second. */
const DEFAULT_MESSAGES_PER_SECOND = 500;

interface MoveTaskHost {
  clock: Clock;
  queueByArn(arn: string): Queue | undefined;
  /** The queues whose redrive policy names `deadLetterQueue`. */
  sourcesOf(deadLetterQueue: Queue): Queue[];
  /** Sends a moved message into `destination` (a new message there, no deduplication). */
  redrive(message: StoredMessage, destination: Queue): void;
}

/**
 * Dead-letter queue redrive (StartMessageMoveTask): moves the messages of a dead-letter queue back
 * to the queues they came from, or to one destination, at a fixed rate per second of cloud time.
 * The number to move is the visible count when the task starts; in-flight messages are not moved.
 */
export class MessageMoveTasks {
  private readonly tasks: MoveTask[] = [];

  constructor(private readonly host: MoveTaskHost) {}

  start(source: Queue, destination: Queue | undefined, maxNumberOfMessagesPerSecond: number | undefined): MoveTask {
    if (this.host.sourcesOf(source).length === 0) throw sqsErrors.invalidParameterValue("Source queue must be configured as a Dead Letter Queue.");
    if (maxNumberOfMessagesPerSecond !== undefined && (!Number.isInteger(maxNumberOfMessagesPerSecond) || maxNumberOfMessagesPerSecond < 1 || maxNumberOfMessagesPerSecond > 500)) {
      throw sqsErrors.invalidParameter("MaxNumberOfMessagesPerSecond", maxNumberOfMessagesPerSecond, "MaxNumberOfMessagesPerSecond must be between 1 and 500.");
    }
    if (destination && destination.fifo !== source.fifo) {
      throw sqsErrors.invalidParameterValue("The source queue and the destination queue must be of the same type (both standard or both FIFO).");
    }
    if (this.tasks.some((task) => task.sourceArn === source.arn && (task.status === "RUNNING" || task.status === "CANCELLING"))) {
      throw sqsErrors.invalidParameterValue("There is already a task running. Only one active task is allowed for a source queue arn at a given time.");
    }
    const task: MoveTask = {
      handle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn: source.arn })).toString("base64"),
      sourceArn: source.arn,
      destinationArn: destination?.arn,
      maxNumberOfMessagesPerSecond,
      status: "RUNNING",
      moved: 0,
      toMove: source.depth().visible,
      startedAt: this.host.clock.now(),
    };
    this.tasks.push(task);
    this.host.clock.schedule(0, () => this.step(task, source, destination));
    return task;
  }

  /** The tasks of a source queue, most recent first. */
  list(sourceArn: string, max = 1): MoveTask[] {
    return this.tasks.filter((task) => task.sourceArn === sourceArn).reverse().slice(0, max);
  }

  cancel(handle: string): MoveTask {
    const task = this.tasks.find((candidate) => candidate.handle === handle);
    if (!task || task.status !== "RUNNING") throw sqsErrors.resourceNotFound("Task does not exist.");
    task.status = "CANCELLING";
    return task;
  }

  /** Moves one second's worth of messages, then schedules the next second. */
  private step(task: MoveTask, source: Queue, destination: Queue | undefined): void {
    if (task.status === "CANCELLING") {
      task.status = "CANCELLED";
      return;
    }
    const rate = task.maxNumberOfMessagesPerSecond ?? DEFAULT_MESSAGES_PER_SECOND;
    const batch = source.take(Math.min(rate, task.toMove - task.moved));
    for (const message of batch) {
      const target = destination ?? (message.deadLetterSourceArn ? this.host.queueByArn(message.deadLetterSourceArn) : undefined);
      if (!target) {
        // Put it back where it was: the dead-letter queue keeps what it cannot place.
        this.host.redrive(message, source);
        task.status = "FAILED";
        task.failureReason = `AWS.SimpleQueueService.NonExistentQueue: the original source queue of message ${message.id} (${message.deadLetterSourceArn ?? "unknown"}) does not exist.`;
        continue;
      }
      this.host.redrive(message, target);
      task.moved++;
    }
    if (task.status !== "RUNNING") return;
    if (batch.length === 0 || task.moved >= task.toMove) {
      task.status = "COMPLETED";
      return;
    }
    this.host.clock.schedule(1000, () => this.step(task, source, destination));
  }
}
