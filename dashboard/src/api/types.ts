/** Row types as the API returns them, inferred from the Worker's routes (never written by hand). */
import type { InferResponseType } from "hono/client";
import type { api } from "./client";

type Api = typeof api;
export type Channel = InferResponseType<Api["channels"]["$get"], 200>["channels"][number];
export type ChannelType = InferResponseType<Api["channels"]["types"]["$get"], 200>["types"][number];
export type SessionRow = InferResponseType<Api["sessions"]["$get"], 200>["sessions"][number];
export type MessageRow = InferResponseType<Api["messages"]["$get"], 200>["messages"][number];
export type RunRow = InferResponseType<Api["runs"]["$get"], 200>["runs"][number];
export type FeedEvent = InferResponseType<Api["events"]["$get"], 200>["events"][number];
export type Job = InferResponseType<Api["jobs"]["$get"], 200>["jobs"][number];
export type JobRun = InferResponseType<Api["jobs"][":id"]["runs"]["$get"], 200>["runs"][number];
export type Bridge = InferResponseType<Api["bridges"]["$get"], 200>["bridges"][number];
export type McpServer = InferResponseType<Api["mcp-servers"]["$get"], 200>["mcpServers"][number];
