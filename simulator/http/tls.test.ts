import { X509Certificate } from "node:crypto";
import { generateServerCertificates } from "./tls";

describe("generateServerCertificates", () => {
  it("should make a server certificate for 127.0.0.1, ::1 and localhost signed by the CA", () => {
    const { caCert, cert } = generateServerCertificates(["virt-api.kubevirt.svc", "10.0.0.1"]);
    const ca = new X509Certificate(caCert);
    const server = new X509Certificate(cert);
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(server.checkIP("::1")).toBe("::1");
    expect(server.checkIP("10.0.0.1")).toBe("10.0.0.1");
    expect(server.checkHost("localhost")).toBe("localhost");
    expect(server.checkHost("virt-api.kubevirt.svc")).toBe("virt-api.kubevirt.svc");
  });
});
