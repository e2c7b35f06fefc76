import { describe, expect, it } from "vitest";
import { networkLine } from "./environment-note";

describe("what the agent is told about its network", () => {
  it("says none, open or the allowlist with presets spelled out", () => {
    expect(networkLine({ setup: "open", agent: "none", allow: ["npm"] })).toMatch(/^- Network: none\./);
    expect(networkLine({ setup: "none", agent: "open", allow: [] })).toContain("any public host");
    const line = networkLine({ setup: "none", agent: "allowlist", allow: ["pypi", "*.example.com"] });
    expect(line).toContain("pypi (pypi.org, files.pythonhosted.org");
    expect(line).toContain("*.example.com");
    expect(line).toContain("HTTP_PROXY");
  });
});
