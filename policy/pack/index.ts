/**
 * The dealership-events policy pack: `pulumi preview --policy-pack policy/pack` runs every rule of
 * `rules/` on the stack being deployed. `npm run check` runs the same rules offline.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("dealership-events", { policies, description: "What AWS rejects at deploy time, or what deploys and silently drops events, for EventBridge-centred programs" });
