/**
 * Jest configuration. TypeScript is transpiled by ts-jest without type checking (`npm run build` and
 * `npm run lint` type-check); @kubernetes/client-node is ESM, loaded through Node's require(esm), which
 * jest supports when Node runs with --experimental-vm-modules (see the `jest` npm script).
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/sdk", "<rootDir>/provider", "<rootDir>/simulator", "<rootDir>/bench", "<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  modulePathIgnorePatterns: ["<rootDir>/dist/", "<rootDir>/node_modules/pulumi-kubevirt/"],
  testTimeout: 60_000,
  maxWorkers: 2,
};
