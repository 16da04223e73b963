/** `loopgate apply` for scheduled jobs: validation, delivery channels by name, and the plan. */
import { describe, expect, it } from "vitest";
import { type CurrentJob, pendingChannelId, planJobs, resolveDeliveryChannels } from "../../src/cli/apply-jobs";
import { PlanError } from "../../src/cli/apply-plan";
import { parseConfigText } from "../../src/cli/config-file";

function jobsOf(jobs: unknown[]) {
  return parseConfigText(JSON.stringify({ jobs }), "test.json", {}).jobs;
}

function current(over: Partial<CurrentJob> = {}): CurrentJob {
  return {
    id: "job_1",
    name: "digest",
    cron: "0 9 * * *",
    timezone: "UTC",
    steps: [{ prompt: "Summarise" }],
    deliverTo: null,
    catchUp: "skip",
    retry: { attempts: 1, backoffSeconds: 60 },
    ...over,
  };
}

const digest = { name: "digest", cron: "0 9 * * *", steps: [{ prompt: "Summarise" }] };

describe("planJobs", () => {
  it("creates a missing job and leaves a matching one alone, defaults included", () => {
    expect(planJobs(jobsOf([digest]), [], { prune: false })).toEqual([expect.objectContaining({ kind: "create", name: "digest" })]);
    const explicit = { ...digest, timezone: "UTC", catchUp: "skip", retry: { attempts: 1, backoffSeconds: 60 } };
    expect(planJobs(jobsOf([explicit]), [current()], { prune: false })).toEqual([{ kind: "unchanged", name: "digest", id: "job_1" }]);
    expect(planJobs(jobsOf([digest]), [current()], { prune: false })[0]?.kind).toBe("unchanged");
  });

  it("updates exactly the fields that differ", () => {
    const [cron] = planJobs(jobsOf([{ ...digest, cron: "30 8 * * MON-FRI" }]), [current()], { prune: false });
    expect(cron).toEqual({ kind: "update", name: "digest", id: "job_1", changes: ["cron"], body: { cron: "30 8 * * MON-FRI" } });
    const [many] = planJobs(
      jobsOf([{ ...digest, timezone: "Europe/Paris", steps: [{ prompt: "Summarise" }, { prompt: "Shorten" }], retry: { attempts: 3 } }]),
      [current()],
      { prune: false },
    );
    expect(many).toMatchObject({ changes: ["timezone", "steps", "retry"], body: { timezone: "Europe/Paris", retry: { attempts: 3, backoffSeconds: 60 } } });
  });

  it("a field left out returns to the API default; deliverTo removed is sent as null", () => {
    const have = current({ catchUp: "run-once", deliverTo: { channelId: "ch_1", recipient: "alice" } });
    expect(planJobs(jobsOf([digest]), [have], { prune: false })[0]).toMatchObject({
      changes: ["deliverTo", "catchUp"],
      body: { deliverTo: null, catchUp: "skip" },
    });
  });

  it("removes unmentioned jobs only with prune, and refuses ambiguous names", () => {
    const have = [current(), current({ id: "job_2", name: "old" })];
    expect(planJobs(jobsOf([digest]), have, { prune: false }).map((a) => a.kind)).toEqual(["unchanged"]);
    expect(planJobs(jobsOf([digest]), have, { prune: true }).map((a) => `${a.kind}:${a.name}`)).toEqual(["unchanged:digest", "remove:old"]);
    expect(() => planJobs(jobsOf([digest]), [current(), current({ id: "job_3" })], { prune: false })).toThrow(/several jobs named "digest"/);
  });
});

describe("resolveDeliveryChannels", () => {
  const channels = [
    { id: "ch_1", name: "ops" },
    { id: "ch_2", name: "dup" },
    { id: "ch_3", name: "dup" },
  ];
  const withTarget = (channelId: string) => jobsOf([{ ...digest, deliverTo: { channelId, recipient: "alice" } }]);

  it("accepts an id, maps a name to its id, and marks a channel the same run creates", () => {
    expect(resolveDeliveryChannels(withTarget("ch_1"), channels)[0]?.deliverTo?.channelId).toBe("ch_1");
    expect(resolveDeliveryChannels(withTarget("ops"), channels)[0]?.deliverTo?.channelId).toBe("ch_1");
    expect(resolveDeliveryChannels(withTarget("new"), channels, ["new"])[0]?.deliverTo?.channelId).toBe(pendingChannelId("new"));
  });

  it("refuses an unknown or ambiguous channel", () => {
    expect(() => resolveDeliveryChannels(withTarget("nowhere"), channels)).toThrow(PlanError);
    expect(() => resolveDeliveryChannels(withTarget("dup"), channels)).toThrow(/names 2 channels/);
  });
});

describe("config file jobs", () => {
  it("validates jobs with the API's schema, the cron and zone, and unique names", () => {
    expect(() => jobsOf([{ name: "x", cron: "* * * * *", steps: [] }])).toThrow(/jobs\.0\.steps: at least one step/);
    expect(() => jobsOf([{ ...digest, prompt: "stray" }])).toThrow(/prompt/);
    expect(() => jobsOf([{ ...digest, cron: "61 * * * *" }])).toThrow(/jobs\.0\.cron: /);
    expect(() => jobsOf([{ ...digest, timezone: "Mars/Olympus" }])).toThrow(/jobs\.0\.timezone: /);
    expect(() => jobsOf([digest, digest])).toThrow(/"digest" is used twice; jobs are matched by name/);
  });

  it("refuses budgets and says where they are set", () => {
    expect(() => parseConfigText('{"budgets":{"accountDailyCostLimitUsd":5}}', "test.json", {})).toThrow(/budgets are gateway settings/);
  });
});
