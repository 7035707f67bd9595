import * as path from "path";
import { queueCounts, runCommandLine, type LocalDeployment, type LocalScenario } from "@event-routes/local-cloud";
import { formatSummary, formatTimeline } from "./report";
import { accountFor, dealershipScenario, loadOrders, operatorEventBridge, placeOrders, type ScenarioOrder, type ScenarioReport } from "./scenario";

/**
 * The dealership in the local cloud (`npm start`, `npm run local`): the local cloud's command line
 * with the dealership program and its scenario.
 *   start  deploy a stack, drive the dealership scenario, print each order's journey and a summary;
 *          exit 1 if any event is unaccounted for
 *   serve  deploy a stack and keep its endpoint up; --orders <n> drives n orders through the flow
 */
const DEALERSHIP_ROOT = path.resolve(__dirname, "..");

export const dealershipLocalScenario: LocalScenario = {
  usage: `Usage:
  npm start [-- --stack dev] [--verbose] [--logs]
  npm run local -- start [--stack <name>] [--port <n>] [--containers <n>] [--with <dir>] [--verbose] [--logs]
  npm run local -- serve [--stack <name>] [--port <n>] [--containers <n>] [--with <dir>] [--orders <n>] [--logs]`,

  async start(deployment, { verbose }) {
    const busName = String(deployment.outputs.busName);
    const orders = dealershipScenario(busName);
    console.log(`\nPlacing ${orders.length} orders on ${busName}...\n`);
    const report = await drive(deployment, orders);
    for (const order of report.orders) console.log(formatTimeline(order, verbose) + "\n");
    console.log(formatSummary(report));
    return report.problems.length === 0 ? 0 : 1;
  },

  async load(deployment, count, tty) {
    const orders = loadOrders(count, String(deployment.outputs.busName));
    const client = operatorEventBridge(deployment);
    const started = Date.now();
    const handedOver = () => deployment.cloud.trace.count("notification.published");
    const bar = () => {
      const done = Math.min(count, handedOver());
      const width = 30;
      const filled = Math.round((done / count) * width);
      const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
      return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${count} orders handed over, ${rate.toFixed(0)}/s`;
    };
    const progress = setInterval(() => tty && process.stdout.write(`\r\x1b[2K${bar()}`), 250);
    await placeOrders(client, orders);
    client.destroy();
    while (handedOver() < count && Date.now() - started < 600_000) await new Promise((resolve) => setTimeout(resolve, 100));
    clearInterval(progress);
    console.log(`\r\x1b[2K${bar()} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  },
};

/** Places the orders through the SDK, runs the cloud until it is idle, and accounts for them. */
async function drive(deployment: LocalDeployment, orders: readonly ScenarioOrder[]): Promise<ScenarioReport> {
  const client = operatorEventBridge(deployment);
  const wallStart = Date.now();
  const cloudStart = deployment.cloud.clock.now();
  const refused = await placeOrders(client, orders);
  const cloudEnd = await deployment.cloud.clock.settle();
  client.destroy();
  return accountFor(deployment, orders, refused, Date.now() - wallStart, cloudEnd - cloudStart, queueCounts(deployment.cloud));
}

if (require.main === module) {
  runCommandLine(process.argv.slice(2), { defaultProgram: DEALERSHIP_ROOT, scenario: dealershipLocalScenario }).then(
    (code) => process.exit(code),
    (error) => {
      console.error(`error: ${error instanceof Error ? error.message : error}`);
      process.exit(1);
    },
  );
}
