import type { LocalCloud } from "./cloud";
import type { EventBridgeService } from "./services/eventbridge/service";
import type { EventSourceMappingService } from "./services/lambda/event-source-mapping";
import type { LambdaService } from "./services/lambda/service";
import type { SqsService } from "./services/sqs/service";

export interface QueueCount {
  name: string;
  /** Messages not deleted: visible, in flight and delayed. */
  messages: number;
  /** A queue that holds failures: some queue's redrive target, a rule target's DLQ, a function's failure destination. */
  deadLetter: boolean;
  /** A function consumes it (an event source mapping): its messages are work still to do. */
  consumed: boolean;
}

/** Messages in every queue that has any, dead-letter queues marked: for summaries and status lines. */
export function queueCounts(cloud: LocalCloud): QueueCount[] {
  const sqs = cloud.service<SqsService>("sqs");
  const consumed = new Set(cloud.service<EventSourceMappingService>("lambda-esm").mappings().filter((m) => m.enabled).map((m) => m.eventSourceArn));
  const failureQueues = new Set([...cloud.service<EventBridgeService>("events").deadLetterArns(), ...cloud.service<LambdaService>("lambda").failureDestinations()]);
  return sqs
    .listQueues()
    .map((queue) => {
      const depth = queue.depth();
      return {
        name: queue.name,
        messages: depth.visible + depth.inFlight + depth.delayed,
        deadLetter: failureQueues.has(queue.arn) || sqs.deadLetterSourcesOf(queue).length > 0,
        consumed: consumed.has(queue.arn),
      };
    })
    .filter((count) => count.messages > 0);
}
