/** Row types as the API returns them, inferred from the Worker's routes (never written by hand). */
import type { InferResponseType } from "hono/client";
import type { api } from "./client";

type Api = typeof api;
export type Channel = InferResponseType<Api["channels"]["$get"], 200>["channels"][number];
export type ChannelType = InferResponseType<Api["channels"]["types"]["$get"], 200>["types"][number];
export type Pairing = InferResponseType<Api["pairings"]["$get"], 200>["pairings"][number];
export type PairedSender = InferResponseType<Api["senders"]["$get"], 200>["senders"][number];
export type SessionRow = InferResponseType<Api["sessions"]["$get"], 200>["sessions"][number];
export type MessageRow = InferResponseType<Api["messages"]["$get"], 200>["messages"][number];
export type RunRow = InferResponseType<Api["runs"]["$get"], 200>["runs"][number];
export type FeedEvent = InferResponseType<Api["events"]["$get"], 200>["events"][number];
export type Health = InferResponseType<Api["health"]["$get"], 200>;
export type UsageSummary = InferResponseType<Api["usage"]["$get"], 200>;
export type UsageTotals = UsageSummary["totals"];
export type UsageDay = InferResponseType<Api["usage"]["daily"]["$get"], 200>["days"][number];
export type UsageCache = InferResponseType<Api["usage"]["cache"]["$get"], 200>;
export type ApiCallRow = InferResponseType<Api["usage"]["calls"]["$get"], 200>["calls"][number];
export type Job = InferResponseType<Api["jobs"]["$get"], 200>["jobs"][number];
export type JobRun = InferResponseType<Api["jobs"][":id"]["runs"]["$get"], 200>["runs"][number];
export type Bridge = InferResponseType<Api["bridges"]["$get"], 200>["bridges"][number];
