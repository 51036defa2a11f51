import { WIDGETS } from "./testing";
import { humanDuration, jsonPathFirst, tableVersion, toTable } from "./table";

describe("tableVersion", () => {
  it("should read kubectl's Accept header and ignore plain JSON", () => {
    expect(
      tableVersion(
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
      ),
    ).toBe("v1");
    expect(tableVersion("application/json")).toBeUndefined();
  });
});

describe("jsonPathFirst", () => {
  const obj = {
    status: {
      conditions: [
        { type: "Paused", status: "False" },
        { type: "Ready", status: "True" },
      ],
      interfaces: [{ ipAddress: "10.0.0.1" }],
    },
  };
  it("should follow fields, indexes and equality filters", () => {
    expect(jsonPathFirst(obj, ".status.conditions[?(@.type=='Ready')].status")).toBe("True");
    expect(jsonPathFirst(obj, ".status.interfaces[0].ipAddress")).toBe("10.0.0.1");
    expect(jsonPathFirst(obj, ".status.nodeName")).toBeUndefined();
  });
});

describe("humanDuration", () => {
  it("should print ages like kubectl", () => {
    expect(humanDuration(5_000)).toBe("5s");
    expect(humanDuration(150_000)).toBe("2m30s");
    expect(humanDuration(3 * 3600_000 + 60_000)).toBe("3h1m");
    expect(humanDuration(3 * 86400_000)).toBe("3d");
  });
});

describe("toTable", () => {
  it("should build a Name column, the printer columns and metadata-only row objects", () => {
    const t = toTable(
      { ...WIDGETS, printerColumns: [{ name: "Color", type: "string", jsonPath: ".spec.color" }] },
      "v1",
      [
        {
          apiVersion: "test.sim.io/v1",
          kind: "Widget",
          metadata: { name: "a", namespace: "default" },
          spec: { color: "red" },
        },
      ],
      "7",
    );
    expect(t).toMatchObject({
      kind: "Table",
      apiVersion: "meta.k8s.io/v1",
      metadata: { resourceVersion: "7" },
      columnDefinitions: [
        expect.objectContaining({ name: "Name", format: "name" }),
        expect.objectContaining({ name: "Color" }),
      ],
      rows: [
        {
          cells: ["a", "red"],
          object: { kind: "PartialObjectMetadata", metadata: { name: "a", namespace: "default" } },
        },
      ],
    });
  });
});
