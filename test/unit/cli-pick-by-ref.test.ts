/** How the CLI resolves what a user typed for a channel, job, bridge or token: id first, then a unique name. */
import { describe, expect, it } from "vitest";
import { CliError } from "../../src/cli/errors";
import { pickByRef } from "../../src/cli/pick-by-ref";

const WORDS = { one: "job", many: "jobs", list: "jobs list" };
const items = [
  { id: "job_1", name: "digest" },
  { id: "job_2", name: "twin" },
  { id: "job_3", name: "twin" },
  // A name that is another item's id: the id wins.
  { id: "job_4", name: "job_1" },
];

describe("pickByRef", () => {
  it("takes the id first, then the only item with that name", () => {
    expect(pickByRef(items, "job_1", WORDS).name).toBe("digest");
    expect(pickByRef(items, "digest", WORDS).id).toBe("job_1");
  });

  it("refuses a name several items share, listing their ids", () => {
    const err = (() => {
      try {
        pickByRef(items, "twin", WORDS);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).message).toBe('2 jobs are named "twin"');
    expect((err as CliError).hint).toBe("use the id: job_2, job_3");
  });

  it("says where to look when nothing matches", () => {
    expect(() => pickByRef(items, "nightly", WORDS)).toThrow('no job with id or name "nightly"');
  });
});
