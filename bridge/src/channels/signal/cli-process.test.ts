import { describe, expect, it } from "vitest";
import { signalConfigSchema } from "../../../../src/channels/signal";
import { signalCliEnv, signalCliPath } from "./cli-process";

describe("starting signal-cli", () => {
  it("takes the executable from the bridge's settings, never from the pushed channel config", () => {
    const config = signalConfigSchema.parse({ bridgeId: "brg_x", account: "+15551234567", cliPath: "/bin/sh" });
    expect(config).not.toHaveProperty("cliPath");
    expect(signalCliPath({})).toBe("signal-cli");
    expect(signalCliPath({ SIGNAL_CLI_PATH: "/opt/signal-cli/bin/signal-cli" })).toBe("/opt/signal-cli/bin/signal-cli");
  });

  it("passes a minimal environment: no bridge token, no API keys", () => {
    const env = signalCliEnv({
      PATH: "/usr/bin",
      HOME: "/home/bridge",
      JAVA_HOME: "/usr/lib/jvm",
      LOOPGATE_BRIDGE_TOKEN: "brt_secret",
      ANTHROPIC_API_KEY: "sk-ant-secret",
      AWS_SECRET_ACCESS_KEY: "x",
    });
    expect(env).toEqual({ PATH: "/usr/bin", HOME: "/home/bridge", JAVA_HOME: "/usr/lib/jvm" });
  });
});
