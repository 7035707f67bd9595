/**
 * Fails the test during which a local cloud recorded a fault of its own (`cloud.errors`): a bug of
 * the emulator must never pass for the caller's mistake or go unnoticed. Runs after every test
 * (jest's setupFilesAfterEnv). A test that provokes a fault on purpose takes it with `takeFaults`.
 */
import { CLOUD_CREATED, type LocalCloud } from "../../local/cloud";

const watched = new Set<LocalCloud>();
/** How many of each cloud's errors were already reported or taken. */
const accounted = new WeakMap<LocalCloud, number>();

(globalThis as { [CLOUD_CREATED]?: (cloud: LocalCloud) => void })[CLOUD_CREATED] = (cloud) => watched.add(cloud);

/** The faults `cloud` recorded since they were last taken or reported; they no longer fail the test. */
export function takeFaults(cloud: LocalCloud): unknown[] {
  const fresh = cloud.errors.slice(accounted.get(cloud) ?? 0);
  accounted.set(cloud, cloud.errors.length);
  return fresh;
}

afterEach(() => {
  const faults = [...watched].flatMap((cloud) => takeFaults(cloud));
  if (faults.length === 0) return;
  const lines = faults.map((fault) => `  - ${fault instanceof Error ? (fault.stack ?? fault.message) : String(fault)}`);
  throw new Error(`the local cloud recorded ${faults.length} fault(s) of its own during this test (cloud.errors):\n${lines.join("\n")}`);
});
