import { createLoyalty } from "./program";

const loyalty = createLoyalty();
export const handoverQueueUrl = loyalty.handovers.url;
