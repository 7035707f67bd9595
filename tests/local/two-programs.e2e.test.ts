import * as path from "path";
import { deployLocal, LocalDeployment } from "../../local/deploy";
import { loadOrders, operatorEventBridge, placeOrders } from "../../dealership/scenario";
import type { LambdaService } from "../../local/services/lambda/service";

/**
 * Two programs in one local cloud: the dealership's dev stack, then the loyalty team's program
 * (examples/loyalty), which attaches to the dealership bus by name and adds its own route, queue
 * and function. Nothing in the local cloud knows either program: it runs their resources.
 */
let deployment: LocalDeployment;

beforeAll(async () => {
  deployment = await deployLocal({ stack: "dev", port: 0, also: [{ stack: "dev", root: path.join(__dirname, "..", "..", "examples", "loyalty") }] });
});

afterAll(async () => {
  await deployment?.stop();
});

it("routes the dealership's handovers to the loyalty team's consumer", async () => {
  expect(deployment.resources.some((r) => r.type === "aws:lambda/function:Function" && r.name === "award-points")).toBe(true);
  const client = operatorEventBridge(deployment);
  const orders = loadOrders(3, String(deployment.outputs.busName));
  await placeOrders(client, orders);
  client.destroy();
  await deployment.cloud.clock.settle();
  // A worker thread's log lines reach the main thread in real time, after its invocation is done:
  // on a loaded machine they can trail the settled clock.
  const awardedSoFar = () =>
    deployment.cloud
      .service<LambdaService>("lambda")
      .logs("dealership-loyalty-dev-award-points")
      .filter((line) => line.includes("points awarded"))
      .map((line) => JSON.parse(line).orderId);
  for (let waited = 0; awardedSoFar().length < orders.length && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  const awarded = awardedSoFar();
  expect(awarded.sort()).toEqual(orders.map((o) => o.orderId).sort());
});
