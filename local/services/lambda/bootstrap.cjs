// The runtime inside one local Lambda container (a worker thread): it loads the function's code
// from its task root with the function's own environment, then runs one invocation at a time, as
// the Lambda runtime interface does. Plain JavaScript: it runs in the worker, outside ts-node.
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const path = require("node:path");
const { pathToFileURL } = require("node:url");

const { taskRoot, handler: handlerSetting, functionName, functionArn, memorySize, logGroupName } = workerData;
const dot = handlerSetting.lastIndexOf(".");
const modulePath = path.join(taskRoot, handlerSetting.slice(0, dot));
const exportName = handlerSetting.slice(dot + 1);
const logStreamName = `${new Date().toISOString().slice(0, 10).replace(/-/g, "/")}/[$LATEST]${workerData.containerId}`;
let handler;

/**
 * The handler's module, CommonJS or ES module as the Node.js runtime decides: `.mjs` (or `.js` in a
 * package of "type": "module") is imported, `.js` and `.cjs` are required
 * (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html).
 */
async function importModule() {
  const file = [".js", ".mjs", ".cjs"].map((extension) => modulePath + extension).find((candidate) => fs.existsSync(candidate));
  if (file === undefined || file.endsWith(".cjs")) return require(file ?? modulePath);
  if (file.endsWith(".mjs")) return import(pathToFileURL(file).href);
  try {
    return require(file);
  } catch (error) {
    if (error && error.code === "ERR_REQUIRE_ESM") return import(pathToFileURL(file).href);
    throw error;
  }
}

// Handler code reads the cloud's clock: Date.now() is this machine's time plus the offset of the
// cloud's (virtual) clock, which each invocation brings; that clock jumps only while no invocation
// runs. So the leases and expiries a handler writes (idempotency records, the handover's lease)
// line up with the cloud's timers: a redelivery 60 s later finds a 10 s lease over, as in AWS.
// `new Date()` keeps this machine's time (log timestamps).
const machineNow = Date.now.bind(Date);
let clockOffset = 0;
Date.now = () => machineNow() + clockOffset;

async function load() {
  if (handler) return handler;
  const loaded = await importModule();
  const candidate = exportName.split(".").reduce((value, key) => (value == null ? undefined : value[key]), loaded);
  if (typeof candidate !== "function") {
    const error = new Error(`${handlerSetting} is undefined or not exported`);
    error.name = "Runtime.HandlerNotFound";
    throw error;
  }
  return (handler = candidate);
}

function describe(error) {
  if (error instanceof Error) {
    return { errorType: error.name || "Error", errorMessage: error.message, trace: String(error.stack || "").split("\n") };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

parentPort.on("message", async ({ id, requestId, event, deadline, cloudClockOffset }) => {
  clockOffset = cloudClockOffset || 0;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: functionArn,
    memoryLimitInMB: String(memorySize),
    awsRequestId: requestId,
    logGroupName,
    logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, deadline - machineNow()),
  };
  try {
    const fn = await load();
    const result =
      fn.length >= 3
        ? await new Promise((resolve, reject) => {
            const maybe = fn(event, context, (error, value) => (error ? reject(error) : resolve(value)));
            if (maybe && typeof maybe.then === "function") maybe.then(resolve, reject);
          })
        : await fn(event, context);
    // The Invoke API returns JSON: what JSON cannot carry is lost, as in AWS.
    const payload = result === undefined ? null : JSON.parse(JSON.stringify(result));
    await flushLogs();
    parentPort.postMessage({ id, ok: true, payload });
  } catch (error) {
    await flushLogs();
    parentPort.postMessage({ id, ok: false, error: describe(error) });
  }
});

/**
 * Waits until the main thread has taken the invocation's log lines: a worker's stdout travels on
 * another channel than its messages, so without this a result could overtake the last lines.
 */
function flushLogs() {
  return Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write("", resolve))));
}
