/** Jest configuration: TypeScript tests through ts-jest; end-to-end suites drive the real Pulumi engine. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/sdk", "<rootDir>/provider", "<rootDir>/simulator", "<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  modulePathIgnorePatterns: ["<rootDir>/dist/", "<rootDir>/node_modules/pulumi-kubevirt/"],
  testTimeout: 60_000,
  maxWorkers: 2,
};
