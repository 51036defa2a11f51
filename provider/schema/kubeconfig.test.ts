import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadKubeConfig } from "../kube/connection";
import { renderKubeconfig } from "../../simulator/kubeconfig";
import { kubeconfigSource, MESSAGE_KUBECONFIG_INVALID } from "./kubeconfig";

const TOKEN = randomBytes(24).toString("base64url");
const YAML = renderKubeconfig({ server: "https://127.0.0.1:6443", token: TOKEN });
const JSON_ONE_LINE = JSON.stringify({
  apiVersion: "v1",
  kind: "Config",
  clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:6443" } }],
  contexts: [{ name: "ctx", context: { cluster: "c", user: "u" } }],
  "current-context": "ctx",
  users: [{ name: "u", user: { token: TOKEN } }],
});
const BASE64 = Buffer.from(YAML).toString("base64");

let dir: string;
let file: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kubeconfig-test-"));
  file = join(dir, "config");
  writeFileSync(file, YAML);
  writeFileSync(join(dir, "garbage"), "clusters: [unterminated\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("kubeconfigSource", () => {
  it("should take YAML and one-line JSON as contents", () => {
    expect(kubeconfigSource(YAML)).toEqual({ kind: "contents", text: YAML, base64: false });
    expect(kubeconfigSource(JSON_ONE_LINE)).toEqual({ kind: "contents", text: JSON_ONE_LINE, base64: false });
  });

  it("should decode base64 of contents, on one line or wrapped as `base64` prints it", () => {
    expect(kubeconfigSource(BASE64)).toEqual({ kind: "contents", text: YAML, base64: true });
    const wrapped = `${BASE64.match(/.{1,76}/g)!.join("\n")}\n`;
    expect(kubeconfigSource(wrapped)).toEqual({ kind: "contents", text: YAML, base64: true });
    const json = Buffer.from(JSON_ONE_LINE).toString("base64url");
    expect(kubeconfigSource(json)).toEqual({ kind: "contents", text: JSON_ONE_LINE, base64: true });
  });

  it("should take the path of an existing file as a file", () => {
    expect(kubeconfigSource(file)).toEqual({ kind: "file", path: file });
  });

  it.each([
    ["a bare token", TOKEN],
    ["a missing file", "/nonexistent/kubeconfig"],
    ["a directory", tmpdir()],
    ["base64 of text that is no kubeconfig", Buffer.from("just some words here").toString("base64")],
    ["base64 of binary data", randomBytes(64).toString("base64")],
  ])("should find %s invalid", (_what, value) => {
    expect(kubeconfigSource(value)).toEqual({ kind: "invalid" });
  });
});

describe("loadKubeConfig", () => {
  it("should load base64-encoded contents", () => {
    const kc = loadKubeConfig({ kubeconfig: BASE64 });
    expect(kc.getCurrentCluster()?.server).toBe("https://127.0.0.1:6443");
    expect(kc.getCurrentUser()?.token).toBe(TOKEN);
  });

  it.each([
    ["a bare token", TOKEN, `kubeconfig: ${MESSAGE_KUBECONFIG_INVALID}`],
    ["a missing file", "/nonexistent/kubeconfig", `kubeconfig: ${MESSAGE_KUBECONFIG_INVALID}`],
    [
      "contents that do not parse",
      `${YAML}users: [unterminated\n`,
      "kubeconfig: cannot load the kubeconfig contents: not a valid kubeconfig (the value is a secret and is not shown)",
    ],
    [
      "base64 of contents that do not parse",
      Buffer.from(`apiVersion: v1\nclusters: [${TOKEN}\n`).toString("base64"),
      "kubeconfig: cannot load the base64-encoded kubeconfig contents: not a valid kubeconfig (the value is a secret and is not shown)",
    ],
  ])("should reject %s without showing any of it", (_what, value, message) => {
    expect(() => loadKubeConfig({ kubeconfig: value })).toThrow(new Error(message));
    expect(message).not.toContain(TOKEN);
    expect(message).not.toContain(value.slice(0, 8));
  });

  it("should not show the path of a file that is no kubeconfig", () => {
    const garbage = join(dir, "garbage");
    expect(() => loadKubeConfig({ kubeconfig: garbage })).toThrow(
      new Error(
        "kubeconfig: cannot load the kubeconfig file: not a valid kubeconfig (the value is a secret and is not shown)",
      ),
    );
  });

  it("should name only the type of a value that is not a string", () => {
    expect(() => loadKubeConfig({ kubeconfig: 42 as unknown as string })).toThrow(
      new Error(
        "kubeconfig: expected a path or kubeconfig contents (a string), got a number (the value is a secret and is not shown)",
      ),
    );
  });

  it("should name the contexts there are when the context is missing", () => {
    expect(() => loadKubeConfig({ kubeconfig: file, context: "lab" })).toThrow(
      new Error('context: "lab" is not in the kubeconfig (contexts: kubevirt-simulator)'),
    );
  });
});
