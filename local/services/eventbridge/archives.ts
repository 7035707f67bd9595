import { AwsError } from "../../aws-error";
import type { LocalCloud } from "../../cloud";
import type { Archive, Bus, EventBridgeEvent, Replay, Rule } from "./model";
import type { StartReplayInput } from "./wire";

/**
 * Archives and replays: an archive keeps the events of its bus that match its pattern for its
 * retention; a replay sends the archived events of a time window back onto that bus, marked with
 * `replay-name`, to every rule or to the rules it names.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-archive.html
 */

/** What replays need of the buses. */
export interface ReplayHost {
  archives(): Archive[];
  bus(reference: string): Bus;
  route(bus: Bus, event: EventBridgeEvent, ruleFilter?: (rule: Rule) => boolean): void;
}

export class Replays {
  private readonly replays = new Map<string, Replay>();

  constructor(
    private readonly cloud: LocalCloud,
    private readonly host: ReplayHost,
  ) {}

  /** Replays archived events of [start, end] onto the archive's bus, as StartReplay does. */
  start(request: StartReplayInput) {
    const archive = this.host.archives().find((candidate) => candidate.arn === request.EventSourceArn);
    if (!archive) throw new AwsError("ResourceNotFoundException", `Archive ${request.EventSourceArn} does not exist.`);
    if (this.replays.has(request.ReplayName)) throw new AwsError("ResourceAlreadyExistsException", `Replay ${request.ReplayName} already exists.`);
    const destination = this.host.bus(request.Destination.Arn);
    if (destination !== archive.bus) throw new AwsError("ValidationException", "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.");
    const replay: Replay = {
      name: request.ReplayName,
      arn: this.cloud.arn("events", `replay/${request.ReplayName}`),
      state: "RUNNING",
      archiveArn: archive.arn,
      destination: destination.arn,
      start: epochMs(request.EventStartTime),
      end: epochMs(request.EventEndTime),
      replayed: 0,
    };
    if (!(replay.start < replay.end)) throw new AwsError("ValidationException", "Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.");
    this.replays.set(replay.name, replay);
    const filter = request.Destination.FilterArns;
    expire(archive, this.cloud.clock.now());
    for (const { at, event } of archive.events) {
      if (at < replay.start || at > replay.end) continue;
      this.host.route(destination, { ...event, "replay-name": replay.name }, (rule) => !filter || filter.includes(rule.arn));
      replay.replayed++;
    }
    replay.state = "COMPLETED";
    return { ReplayArn: replay.arn, State: "STARTING", StateReason: "Replay is starting", ReplayStartTime: this.cloud.clock.now() / 1000 };
  }

  /** DescribeReplay's answer. */
  describe(name: string) {
    const replay = this.replays.get(name);
    if (!replay) throw new AwsError("ResourceNotFoundException", `Replay ${name} does not exist.`);
    return { ReplayName: replay.name, ReplayArn: replay.arn, State: replay.state, EventSourceArn: replay.archiveArn, Destination: { Arn: replay.destination }, EventStartTime: replay.start / 1000, EventEndTime: replay.end / 1000 };
  }
}

/** Drops the events older than the archive's retention (0: kept for ever). */
export function expire(archive: Archive, now: number): void {
  if (!archive.retentionDays) return;
  const oldest = now - archive.retentionDays * 86_400_000;
  while (archive.events.length > 0 && archive.events[0].at < oldest) archive.events.shift();
}

/** ListArchives' entry for an archive. */
export function archiveSummary(archive: Archive) {
  return { ArchiveName: archive.name, EventSourceArn: archive.bus.arn, State: "ENABLED", RetentionDays: archive.retentionDays, EventCount: archive.events.length };
}

/** DescribeArchive's answer. */
export function archiveDescription(archive: Archive) {
  return {
    ArchiveName: archive.name,
    ArchiveArn: archive.arn,
    EventSourceArn: archive.bus.arn,
    ...(archive.pattern ? { EventPattern: typeof archive.pattern === "string" ? archive.pattern : JSON.stringify(archive.pattern) } : {}),
    State: "ENABLED",
    RetentionDays: archive.retentionDays,
    EventCount: archive.events.length,
  };
}

/** A wire timestamp (epoch seconds, or ISO text) in epoch milliseconds. */
function epochMs(value: number | string): number {
  return typeof value === "number" ? value * 1000 : Date.parse(value);
}
