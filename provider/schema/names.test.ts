import { dns1123LabelErrors, dns1123SubdomainErrors, labelValueErrors, qualifiedNameErrors } from "./names";

describe("dns1123SubdomainErrors", () => {
  it.each(["vm-cirros", "a", "web.example.com", "0abc", "a".repeat(253)])("should accept %j", (name) => {
    expect(dns1123SubdomainErrors(name)).toEqual([]);
  });

  it.each(["", "Vm", "vm_1", "-vm", "vm-", "vm..x", "vm/x"])(
    "should reject %j with Kubernetes' message",
    (name) => {
      expect(dns1123SubdomainErrors(name)).toEqual([
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ]);
    },
  );

  it("should reject names longer than 253 characters", () => {
    expect(dns1123SubdomainErrors("a".repeat(254))).toEqual(["must be no more than 253 characters"]);
  });
});

describe("dns1123LabelErrors", () => {
  it("should accept a namespace name", () => {
    expect(dns1123LabelErrors("kube-system")).toEqual([]);
  });

  it("should reject dots and names longer than 63 characters", () => {
    expect(dns1123LabelErrors("a.b")).toHaveLength(1);
    expect(dns1123LabelErrors("a".repeat(64))).toEqual(["must be no more than 63 characters"]);
  });
});

const NAME_PART_MESSAGE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe("qualifiedNameErrors", () => {
  it.each([
    "app",
    "MyName",
    "my.name",
    "123-abc",
    "a_b",
    "kubevirt.io/vm",
    "app.kubernetes.io/part-of",
    "x".repeat(63),
  ])("should accept %j", (key) => {
    expect(qualifiedNameErrors(key)).toEqual([]);
  });

  it.each(["bad key", "-app", "app-", "_x", "a$b", "ünï"])(
    "should reject the name %j with Kubernetes' message",
    (key) => {
      expect(qualifiedNameErrors(key)).toEqual([`name part ${NAME_PART_MESSAGE}`]);
    },
  );

  it("should reject an empty name, an empty prefix and a prefix that is not a DNS subdomain", () => {
    expect(qualifiedNameErrors("")).toEqual([
      "name part must be non-empty",
      `name part ${NAME_PART_MESSAGE}`,
    ]);
    expect(qualifiedNameErrors("/app")).toEqual(["prefix part must be non-empty"]);
    expect(qualifiedNameErrors("example.com/")).toEqual([
      "name part must be non-empty",
      `name part ${NAME_PART_MESSAGE}`,
    ]);
    expect(qualifiedNameErrors("Example.com/app")).toEqual([
      `prefix part ${dns1123SubdomainErrors("Example.com")[0]}`,
    ]);
  });

  it("should reject a name part longer than 63 characters and a prefix longer than 253", () => {
    expect(qualifiedNameErrors("x".repeat(64))).toEqual(["name part must be no more than 63 characters"]);
    expect(qualifiedNameErrors(`${"a".repeat(254)}/x`)).toEqual([
      "prefix part must be no more than 253 characters",
    ]);
  });

  it("should reject more than one slash", () => {
    expect(qualifiedNameErrors("a/b/c")).toEqual([
      `a qualified name ${NAME_PART_MESSAGE} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ]);
  });
});

describe("labelValueErrors", () => {
  it.each(["", "web", "MyValue", "my_value", "12345", "v1.2-rc_3", "x".repeat(63)])(
    "should accept %j",
    (value) => {
      expect(labelValueErrors(value)).toEqual([]);
    },
  );

  it.each(["-web", "web-", "a b", "a/b", "ü"])("should reject %j with Kubernetes' message", (value) => {
    expect(labelValueErrors(value)).toEqual([
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ]);
  });

  it("should reject a value longer than 63 characters", () => {
    expect(labelValueErrors("x".repeat(64))).toEqual(["must be no more than 63 characters"]);
  });
});
