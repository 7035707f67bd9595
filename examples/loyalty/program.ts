import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { BundledFunction, EventBus, Queue, patternFor, queueTarget } from "@event-routes/components";
import { VehicleReadyForHandover } from "./handover-event";

/** Where to find the dealership bus: an ARN, or a name in this account and region. */
export function busReference(value: string): { arn: string } | { name: string } {
  if (value.startsWith("arn:")) {
    if (!/^arn:[^:]+:events:[^:]+:\d{12}:event-bus\/[\w.\-/]+$/.test(value)) {
      throw new Error(`dealership-loyalty:dealershipBus: "${value}" is not an event bus ARN`);
    }
    return { arn: value };
  }
  if (!/^[\w.\-/]{1,256}$/.test(value)) throw new Error(`dealership-loyalty:dealershipBus: "${value}" is not an event bus name`);
  return { name: value };
}

/** The loyalty team's routes on the dealership bus: a queue of handovers and the function that awards points. */
export function createLoyalty() {
  const config = new pulumi.Config();
  const bus = new EventBus("dealership", { existing: busReference(config.require("dealershipBus")) });
  const handovers = new Queue("handovers", { visibilityTimeoutSeconds: 60, eventSources: [bus] });
  bus.route("loyalty-handovers", {
    description: "Handovers to the loyalty programme",
    pattern: patternFor(VehicleReadyForHandover),
    targets: [queueTarget(handovers)],
  });
  const awardPoints = new BundledFunction("award-points", { entry: path.join(__dirname, "handlers/award-points.ts") });
  awardPoints.consume(handovers, { batchSize: 10 });
  return { bus, handovers, awardPoints };
}
