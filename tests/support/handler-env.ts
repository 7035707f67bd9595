/**
 * The handlers' logging environment, set before any test file loads a handler: Powertools Logger
 * reads its service name and level once, when a handler module creates it (as in Lambda, where
 * the environment is there before the code loads). Handler tests import the handler first and set
 * the rest of the environment later (tests/handlers/support/events.ts, setHandlerEnv).
 * DEBUG_HANDLER_LOGS=1 logs at DEBUG.
 */
process.env.POWERTOOLS_SERVICE_NAME = "dealership-test";
process.env.POWERTOOLS_LOG_LEVEL = process.env.DEBUG_HANDLER_LOGS ? "DEBUG" : "ERROR";
