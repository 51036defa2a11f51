import { fieldSelector, labelSelector, parseLabelSelector } from "./selectors";
import { StatusError, type KubeObject } from "./types";

const o = (name: string, labels?: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "X",
  metadata: { name, namespace: "ns", labels },
});

describe("labelSelector", () => {
  it("should support equality, set-based and existence requirements", () => {
    const objs = [o("a", { app: "web", tier: "fe" }), o("b", { app: "db" }), o("c")];
    const names = (s: string) => objs.filter(labelSelector(s)).map((x) => x.metadata.name);
    expect(names("app=web")).toEqual(["a"]);
    expect(names("app==web")).toEqual(["a"]);
    expect(names("app!=web")).toEqual(["b", "c"]);
    expect(names("app in (web, db)")).toEqual(["a", "b"]);
    expect(names("app notin (web)")).toEqual(["b", "c"]);
    expect(names("tier")).toEqual(["a"]);
    expect(names("!tier")).toEqual(["b", "c"]);
    expect(names("app,!tier")).toEqual(["b"]);
    expect(names("")).toEqual(["a", "b", "c"]);
  });

  it("should refuse what it cannot parse", () => {
    expect(() => parseLabelSelector("a=(b")).toThrow(StatusError);
  });
});

describe("fieldSelector", () => {
  it("should select by metadata.name and metadata.namespace only", () => {
    expect(fieldSelector("metadata.name=a")(o("a"))).toBe(true);
    expect(fieldSelector("metadata.name!=a,metadata.namespace=ns")(o("b"))).toBe(true);
    expect(() => fieldSelector("spec.x=1")).toThrow("field label not supported: spec.x");
  });
});
