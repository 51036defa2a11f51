import { KubeConfig } from "@kubernetes/client-node";
import { insecureSettings } from "./connections";

function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown>): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", ...cluster }],
    users: [{ name: "u", ...user }],
    contexts: [{ name: "ctx", cluster: "c", user: "u" }],
    currentContext: "ctx",
  });
  return kc;
}

describe("insecureSettings", () => {
  it("should warn when TLS verification is off", () => {
    const warnings = insecureSettings(
      kubeconfig({ server: "https://127.0.0.1:6443", skipTLSVerify: true }, {}),
    );
    expect(warnings).toEqual([expect.stringMatching(/TLS verification is off for cluster "c"/)]);
  });

  it("should warn when a token would travel over plain http, without quoting it", () => {
    const warnings = insecureSettings(kubeconfig({ server: "http://127.0.0.1:8080" }, { token: "s3cret" }));
    expect(warnings).toEqual([
      expect.stringMatching(/plain http:\/\/: user "u"'s credentials are sent unencrypted/),
    ]);
    expect(warnings.join("")).not.toContain("s3cret");
  });

  it("should say nothing about a verified https cluster", () => {
    expect(insecureSettings(kubeconfig({ server: "https://127.0.0.1:6443" }, { token: "t" }))).toEqual([]);
  });
});
