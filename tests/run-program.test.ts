import { runIsolated } from "./support/program";

describe("the recording mocks", () => {
  test("refuse two resources with the same URN, as Pulumi's engine does", async () => {
    const run = runIsolated({
      stack: "test",
      program: () => {
        const aws = require("@pulumi/aws");
        new aws.sqs.Queue("jobs", { name: "jobs-a" });
        new aws.sqs.Queue("jobs", { name: "jobs-b" });
      },
    });
    await expect(run).rejects.toThrow("Duplicate resource URN 'urn:pulumi:test::dealership-events::aws:sqs/queue:Queue::jobs'; try giving it a unique name");
  });

  test("accept one name under different parents or of different types (different URNs)", async () => {
    const run = await runIsolated({
      stack: "test",
      program: () => {
        const aws = require("@pulumi/aws");
        const pulumi = require("@pulumi/pulumi");
        const parent = new pulumi.ComponentResource("shop:index:Jobs", "jobs");
        new aws.sqs.Queue("jobs", { name: "jobs-a" });
        new aws.sqs.Queue("jobs", { name: "jobs-b" }, { parent });
        new aws.sns.Topic("jobs", { name: "jobs" });
      },
    });
    expect(run.mocks.resources.filter((r) => r.name === "jobs")).toHaveLength(4);
  });
});
