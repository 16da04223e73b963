/**
 * An object's one alarm, with its time tracked in memory: asking storage (`getAlarm`) once per
 * object instance, setting it only when the new time is sooner, and never deleting it (an alarm
 * that finds nothing to do costs less than a delete after every message). The object calls
 * `fired()` when its alarm runs: from then on no alarm is pending until it sets one.
 */
export class AlarmClock {
  /** undefined until read from storage; null when none is set. */
  private at: number | null | undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** The alarm is running now: the runtime clears it unless it is set again. */
  fired(): void {
    this.at = null;
  }

  /** Makes sure the alarm goes off no later than `at`. */
  async wakeBy(at: number): Promise<void> {
    if (this.at === undefined) this.at = await this.storage.getAlarm();
    if (this.at !== null && this.at <= at) return;
    await this.storage.setAlarm(at);
    this.at = at;
  }
}
