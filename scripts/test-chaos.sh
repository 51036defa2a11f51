#!/usr/bin/env bash
# The reliability suites at chaos strength: 40 interrupt trials (tests/reliability/interrupts.test.ts: `pulumi up`
# killed at seeded random points, then cancel, refresh and up; no VM may be orphaned, duplicated or missing) and
# 20 rounds of two stacks racing for one VM name (tests/reliability/race.test.ts). PULUMI_KUBEVIRT_TRIALS,
# PULUMI_KUBEVIRT_RACE_ROUNDS and PULUMI_KUBEVIRT_SEED override the counts and the seed. Always on the simulator
# (the trials read its request log and set its timings).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PULUMI_KUBEVIRT_TRIALS="${PULUMI_KUBEVIRT_TRIALS:-40}"
export PULUMI_KUBEVIRT_RACE_ROUNDS="${PULUMI_KUBEVIRT_RACE_ROUNDS:-20}"
npm run build
bash scripts/with-pulumi.sh node --experimental-vm-modules node_modules/jest/bin/jest.js --runInBand \
  --testTimeout 300000 tests/reliability/interrupts.test.ts tests/reliability/race.test.ts "$@"
