/**
 * Every Durable Object, addressed by name: the one place where object names are built and
 * stubs are made. Callers say which object they mean (a sender's session, a job's runner...);
 * none of them call idFromName themselves. The classes live in workers/.
 */
import { sessionId } from "./session-id";

/** The SenderSession object of a channel + sender. */
export function senderSession(env: Env, channelId: string, senderId: string) {
  return env.SENDER_SESSION.get(env.SENDER_SESSION.idFromName(sessionId(channelId, senderId)));
}

/** Queues a message to a sender outside a turn, through their object's outbound ledger. */
export function notifySender(env: Env, channelId: string, senderId: string, text: string): Promise<void> {
  return senderSession(env, channelId, senderId).notify(channelId, senderId, text);
}

/** One JobRunner per job: it runs the job's queued runs one after another, from its alarm. */
export function jobRunner(env: Env, jobId: string) {
  return env.JOB_RUNNER.get(env.JOB_RUNNER.idFromName(`job:${jobId}`));
}

/** One LoopTask per task. */
export function loopTask(env: Env, taskId: number) {
  return env.LOOP_TASK.get(env.LOOP_TASK.idFromName(`task:${taskId}`));
}

/** One BridgeHub per bridge: its WebSocket and its queue of replies. */
export function bridgeHub(env: Env, bridgeId: string) {
  return env.BRIDGE_HUB.get(env.BRIDGE_HUB.idFromName(bridgeId));
}

/** The one LiveFeed object every dashboard socket connects to. */
export function liveFeed(env: Pick<Env, "LIVE_FEED">) {
  return env.LIVE_FEED.get(env.LIVE_FEED.idFromName("global"));
}

/** One Throttle object per limited key (an IP, a username...). */
export function throttle(env: Pick<Env, "THROTTLE">, key: string) {
  return env.THROTTLE.get(env.THROTTLE.idFromName(key));
}
