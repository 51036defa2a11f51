const enableCompileCache = jest.fn();
jest.mock("node:module", () => ({ ...jest.requireActual("node:module"), enableCompileCache }));

/** Loads ./compile-cache afresh with `argv` as the process's command line; how often it enabled the cache. */
function loadWith(argv: string[]): number {
  const saved = process.argv;
  enableCompileCache.mockClear();
  process.argv = argv;
  try {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh load per case is the point
      require("./compile-cache");
    });
  } finally {
    process.argv = saved;
  }
  return enableCompileCache.mock.calls.length;
}

describe("the provider host's compile cache", () => {
  it("should be enabled in Pulumi's dynamic provider host only", () => {
    expect(loadWith(["node", "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js"])).toBe(1);
    expect(loadWith(["node", "/p/node_modules/@pulumi/pulumi/cmd/run/index.js"])).toBe(0);
    expect(loadWith(["node", "/p/node_modules/jest/bin/jest.js"])).toBe(0);
  });
});
