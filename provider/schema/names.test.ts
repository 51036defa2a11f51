import { dns1123LabelErrors, dns1123SubdomainErrors } from "./names";

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
