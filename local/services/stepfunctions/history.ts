import type { Clock } from "../../clock";
import type { StateEntry } from "./definition";
import type { LibraryEvent } from "./library";

/**
 * The history of one execution, with AWS's event types (ExecutionStarted, TaskStateEntered,
 * TaskScheduled, TaskSucceeded, ParallelStateStarted, MapIterationStarted, ...). The execution
 * records its own events and those of its Task handlers; the interpreter's event log supplies
 * the state transitions. Details hold values as they are; the wire form has AWS's JSON strings.
 */

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  /** Cloud time (ms since the epoch). */
  timestamp: number;
  type: string;
  details?: Record<string, unknown>;
}

const CONTAINERS = new Set(["Parallel", "Map"]);

export class ExecutionHistory {
  readonly events: HistoryEvent[] = [];
  private readonly readers = new Set<Promise<void>>();
  /** Parallel/Map states that failed in their current entry (a caught failure still exits them). */
  private readonly failedContainers = new Set<string>();
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly states: ReadonlyMap<string, StateEntry>,
    /** Told when a branch or iteration of a Parallel/Map state fails: the others stop. */
    private readonly onContainerFailed: (name: string) => void,
  ) {}

  record(type: string, details?: Record<string, unknown>): void {
    if (this.closed) return;
    const id = this.events.length + 1;
    this.events.push({ id, previousEventId: id - 1, timestamp: this.clock.now(), type, ...(details ? { details } : {}) });
  }

  /** The last event: no event is recorded after it. */
  close(type: string, details?: Record<string, unknown>): void {
    this.record(type, details);
    this.closed = true;
  }

  /** Follows an interpreter event log until it ends. */
  follow(log: AsyncGenerator<LibraryEvent>): void {
    const reader = (async () => {
      for await (const event of log) this.translate(event);
    })();
    this.readers.add(reader);
    const forget = () => void this.readers.delete(reader);
    reader.then(forget, forget);
  }

  /** Resolves once every followed event log has ended. */
  async drained(): Promise<void> {
    while (this.readers.size > 0) await Promise.all(this.readers);
  }

  private translate(event: LibraryEvent): void {
    switch (event.type) {
      case "StateEntered":
      case "StateExited": {
        const { name, type: runAs } = event.state;
        const entry = this.states.get(name);
        const written = entry?.type ?? runAs;
        const entered = event.type === "StateEntered";
        const data = entered ? { name, input: event.state.input } : { name, output: event.state.output };
        if (!CONTAINERS.has(runAs)) {
          this.record(`${written}State${entered ? "Entered" : "Exited"}`, data);
          return;
        }
        // The interpreter runs this Parallel/Map itself: inside its retry handler if it is wrapped.
        if (entered) {
          this.failedContainers.delete(name);
          if (!entry?.wrapped) this.record(`${runAs}StateEntered`, data);
          this.record(`${runAs}StateStarted`);
          return;
        }
        if (!this.failedContainers.delete(name)) this.record(`${runAs}StateSucceeded`);
        if (!entry?.wrapped) this.record(`${runAs}StateExited`, data);
        return;
      }
      case "StateFailed":
        // Task failures are recorded by their handlers; other states fail the execution.
        if (CONTAINERS.has(event.state.type)) {
          this.failedContainers.add(event.state.name);
          this.record(`${event.state.type}StateFailed`);
        }
        return;
      case "MapIterationStarted":
      case "MapIterationSucceeded":
      case "MapIterationFailed":
        this.record(event.type, { name: event.parentState.name, index: event.index });
        if (event.type === "MapIterationFailed") this.onContainerFailed(event.parentState.name);
        return;
      case "ParallelBranchFailed":
        this.onContainerFailed(event.parentState.name);
        return;
      default:
        return;
    }
  }
}

/** The event as GetExecutionHistory returns it. */
export function historyEventToWire(event: HistoryEvent, includeExecutionData = true): Record<string, unknown> {
  const wire: Record<string, unknown> = { timestamp: event.timestamp / 1000, type: event.type, id: event.id, previousEventId: event.previousEventId };
  if (!event.details) return wire;
  const details: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(event.details)) {
    if (value === undefined) continue;
    if (field === "input" || field === "output" || field === "parameters") {
      if (!includeExecutionData) continue;
      details[field] = JSON.stringify(value ?? null);
      if (field !== "parameters") details[`${field}Details`] = { truncated: false };
    } else details[field] = value;
  }
  wire[detailsField(event.type)] = details;
  return wire;
}

function detailsField(type: string): string {
  if (type.endsWith("StateEntered")) return "stateEnteredEventDetails";
  if (type.endsWith("StateExited")) return "stateExitedEventDetails";
  return `${type[0].toLowerCase()}${type.slice(1)}EventDetails`;
}
