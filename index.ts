/**
 * The dealership program: validated stack configuration -> the dealership architecture -> outputs.
 * Deploy with `npx pulumi up --stack dev`; `npm test` runs it for every stack under Pulumi mocks.
 */
import { loadConfig } from "./dealership/config";
import { createDealership } from "./dealership/architecture";

const dealership = createDealership(loadConfig());

export const busName = dealership.bus.name;
export const busArn = dealership.bus.arn;
export const operationsBusArn = dealership.operationsBus.arn;
export const orderQueueUrls = dealership.orderQueues.map((q) => q.url);
export const paperworkStateMachineArn = dealership.paperwork.arn;
export const customerTopicArn = dealership.customerTopic.arn;
export const alarmTopicArn = dealership.alarmTopic.arn;
export const analyticsStreamName = dealership.analyticsStream.name;
export const dashboardName = dealership.observability.dashboard?.dashboardName;
