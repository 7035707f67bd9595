import { AwsError } from "../../aws-error";
import { parseTaskResource, type TaskResource } from "./integrations";
import type { Retrier } from "./errors";
import { StateMachine, type StateMachineDefinition } from "./library";

/**
 * A definition as the local cloud runs it. The interpreter (aws-local-stepfunctions) would wait
 * in real time and call AWS, so before it sees a definition:
 * - every Task state keeps its Resource but runs a local handler (keyed by state name, hence
 *   state names are unique across branches and iterators, as AWS requires); its Retry field and
 *   its timeouts move into that handler, which waits between attempts on the cloud's clock;
 * - every Wait state becomes a Task state (same InputPath, OutputPath, Next/End) whose handler
 *   sleeps on the cloud's clock;
 * - a Parallel or Map state with a Retry field becomes a Task state (same paths, ResultSelector,
 *   Catch, Next/End) whose handler runs the bare Parallel/Map as a one-state machine and retries
 *   it on the cloud's clock;
 * - the top-level TimeoutSeconds is enforced by the execution on the cloud's clock;
 * - `$$.Execution.Input`/`StartTime` read the execution's own values (the interpreter would give
 *   a branch its own input and the real time).
 * So no Wait state and no Retry field reaches the interpreter: nothing of it waits in real time.
 */

/**
 * A state as written: the fields this module and the execution read, typed as the interpreter has
 * validated them (`new StateMachine(definition)`); every other field passes through untouched.
 */
export interface StateJson {
  Type: string;
  Resource?: string;
  Retry?: Retrier[];
  Branches?: BranchJson[];
  ItemProcessor?: BranchJson;
  Iterator?: BranchJson;
  Seconds?: number;
  Timestamp?: string;
  SecondsPath?: string;
  TimestampPath?: string;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number;
  HeartbeatSecondsPath?: string;
  [field: string]: unknown;
}

/** A Parallel branch or a Map's ItemProcessor (Iterator): a definition of its own. */
interface BranchJson {
  States: Record<string, StateJson>;
  [field: string]: unknown;
}

/** A state of the definition as written, with where it sits. */
export interface StateEntry {
  name: string;
  /** The type as written (a Wait state is run as a Task, but reported as a Wait state). */
  type: string;
  state: StateJson;
  /** The Parallel and Map states it is nested in, outermost first. */
  containers: string[];
  /** Task states: the integration. */
  resource?: TaskResource;
  /** A Parallel or Map state with a Retry field, run by a handler (see above). */
  wrapped?: { retry: Retrier[]; machine: StateMachine };
}

export interface PreparedDefinition {
  /** The definition the interpreter runs. */
  machine: StateMachine;
  states: Map<string, StateEntry>;
  timeoutSeconds?: number;
}

/** Resource of the Task states Wait and retried Parallel/Map states become (their handlers run instead). */
const LOCAL_RESOURCE = "arn:aws:states:::local-cloud:handler";
/**
 * The interpreter times every Task out after TimeoutSeconds of real time (60 s unless set); the
 * handlers enforce the definition's timeouts on the cloud's clock, so the interpreter gets the
 * longest a real timer can wait (24.8 days, which only a `real` clock could reach).
 */
const INTERPRETER_TASK_TIMEOUT_SECONDS = 2_147_483;

export function parseDefinition(definition: unknown): { text: string; parsed: StateMachineDefinition } {
  const text = typeof definition === "string" ? definition : JSON.stringify(definition ?? null);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidDefinition(`INVALID_JSON_DESCRIPTION: ${(error as Error).message}`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw invalidDefinition("INVALID_JSON_DESCRIPTION: the definition is not a JSON object");
  return { text, parsed: parsed as StateMachineDefinition };
}

/** Validates a definition as CreateStateMachine does and prepares it for the interpreter. */
export function prepareDefinition(text: string, parsed: StateMachineDefinition, type: "STANDARD" | "EXPRESS"): PreparedDefinition {
  try {
    new StateMachine(parsed);
  } catch (error) {
    throw new AwsError("InvalidDefinition", (error as Error).message);
  }
  const states = new Map<string, StateEntry>();
  indexStates(statesOf(parsed), [], states);
  if (type === "EXPRESS") {
    for (const entry of states.values()) {
      const pattern = entry.resource?.pattern;
      if (pattern === "waitForTaskToken" || pattern === "sync") {
        throw invalidDefinition(`SCHEMA_VALIDATION_FAILED: Express state machine does not support '.${pattern}' service integration at /States/${entry.name}/Resource`);
      }
    }
  }
  const rewritten = JSON.parse(redirectExecutionInputAndStartTime(text)) as StateMachineDefinition;
  const { TimeoutSeconds: timeoutSeconds, ...top } = rewritten;
  const runnable = { ...top, States: rewriteStates(statesOf(rewritten), states) };
  return { machine: new StateMachine(runnable as StateMachineDefinition, { validationOptions: { noValidate: true } }), states, timeoutSeconds };
}

function invalidDefinition(reason: string): AwsError {
  return new AwsError("InvalidDefinition", `Invalid State Machine Definition: '${reason}'`);
}

/** The States of a definition the interpreter has validated, as this module reads them. */
function statesOf(definition: StateMachineDefinition): Record<string, StateJson> {
  return definition.States as unknown as Record<string, StateJson>;
}

function indexStates(states: Record<string, StateJson>, containers: string[], index: Map<string, StateEntry>): void {
  for (const [name, state] of Object.entries(states)) {
    if (index.has(name)) throw invalidDefinition(`DUPLICATE_STATE_NAME: Duplicate State name: ${name}`);
    const entry: StateEntry = { name, type: state.Type, state, containers };
    if (state.Type === "Task") entry.resource = parseTaskResource(state.Resource!);
    index.set(name, entry);
    if (state.Type === "Parallel") for (const branch of state.Branches!) indexStates(branch.States, [...containers, name], index);
    if (state.Type === "Map") indexStates((state.ItemProcessor ?? state.Iterator)!.States, [...containers, name], index);
  }
}

/** Points `$$.Execution.Input`/`StartTime` at the context the execution provides as `LocalCloudExecution`. */
function redirectExecutionInputAndStartTime(text: string): string {
  return text.replace(/\$\$\.Execution\.(Input|StartTime)\b/g, (_, field: string) => `$$.LocalCloudExecution.${field}`);
}

const TRANSITION = ["Next", "End", "Comment"];

function rewriteStates(states: Record<string, StateJson>, index: Map<string, StateEntry>): Record<string, StateJson> {
  const out: Record<string, StateJson> = {};
  for (const [name, state] of Object.entries(states)) out[name] = rewriteState(name, state, index);
  return out;
}

function rewriteState(name: string, state: StateJson, index: Map<string, StateEntry>): StateJson {
  switch (state.Type) {
    case "Task": {
      const { Retry: _retry, TimeoutSecondsPath: _path, HeartbeatSeconds: _heartbeat, HeartbeatSecondsPath: _heartbeatPath, ...task } = state;
      return { ...task, TimeoutSeconds: INTERPRETER_TASK_TIMEOUT_SECONDS };
    }
    case "Wait":
      return { Type: "Task", Resource: LOCAL_RESOURCE, ...pick(state, ["InputPath", "OutputPath", ...TRANSITION]), TimeoutSeconds: INTERPRETER_TASK_TIMEOUT_SECONDS };
    case "Parallel": {
      const container = { ...state, Branches: state.Branches!.map((branch) => ({ ...branch, States: rewriteStates(branch.States, index) })) };
      return state.Retry?.length ? wrapRetried(name, container, ["InputPath", "Parameters"], index) : container;
    }
    case "Map": {
      const processorField = state.ItemProcessor ? "ItemProcessor" : "Iterator";
      const processor = state[processorField]!;
      const container = { ...state, [processorField]: { ...processor, States: rewriteStates(processor.States, index) } };
      // A Map's Parameters select each item: they stay with the Map.
      return state.Retry?.length ? wrapRetried(name, container, ["InputPath"], index) : container;
    }
    default:
      return state;
  }
}

const RESULT_FIELDS = ["ResultSelector", "ResultPath", "OutputPath", "Catch"];

/** A Task state that runs `container` (without Retry) as a one-state machine; see the module comment. */
function wrapRetried(name: string, container: StateJson, inputFields: string[], index: Map<string, StateEntry>): StateJson {
  const moved = new Set([...inputFields, ...RESULT_FIELDS, "Retry", "Next", "End"]);
  const bare = Object.fromEntries(Object.entries(container).filter(([field]) => !moved.has(field)));
  const machine = new StateMachine({ StartAt: name, States: { [name]: { ...bare, End: true } } } as StateMachineDefinition, { validationOptions: { noValidate: true } });
  index.get(name)!.wrapped = { retry: container.Retry!, machine };
  return { Type: "Task", Resource: LOCAL_RESOURCE, ...pick(container, [...inputFields, ...RESULT_FIELDS, ...TRANSITION]), TimeoutSeconds: INTERPRETER_TASK_TIMEOUT_SECONDS };
}

/** Copies the fields `state` has: the interpreter treats a field set to undefined as present. */
function pick(state: StateJson, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) if (field in state) out[field] = state[field];
  return out;
}

/**
 * Reads a reference path (`$`, `$.a.b`, `$.list[0]`, `$['a b']`) as SecondsPath, TimestampPath,
 * TimeoutSecondsPath and HeartbeatSecondsPath use it; undefined when it selects nothing.
 */
export function readReferencePath(value: unknown, path: string): unknown {
  if (!path.startsWith("$")) return undefined;
  let current: unknown = value;
  const steps = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g;
  let consumed = 1;
  for (let match = steps.exec(path); match; match = steps.exec(path)) {
    if (match.index !== consumed) return undefined;
    consumed = match.index + match[0].length;
    const key = match[1] ?? match[3] ?? match[4] ?? Number(match[2]);
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return consumed === path.length ? current : undefined;
}
