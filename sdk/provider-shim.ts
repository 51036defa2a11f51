/**
 * The object Pulumi serializes into state as the dynamic provider (`__provider`). It stays tiny on purpose:
 * every method loads the real implementation from the installed package at run time, so state holds no
 * copy of the provider's code (and an upgrade of the package needs no `__provider` diff on every VM).
 */
import type * as pulumi from "@pulumi/pulumi";

/* eslint-disable @typescript-eslint/no-require-imports -- a run-time require is the point of this shim */

/** Delegates to `vmProvider` of the package's `./provider` entry point, resolved where the program runs. */
export const providerShim: pulumi.dynamic.ResourceProvider = {
  check: (olds, news) => require("pulumi-kubevirt/provider").vmProvider.check(olds, news),
  diff: (id, olds, news) => require("pulumi-kubevirt/provider").vmProvider.diff(id, olds, news),
  create: (inputs) => require("pulumi-kubevirt/provider").vmProvider.create(inputs),
  read: (id, props) => require("pulumi-kubevirt/provider").vmProvider.read(id, props),
  update: (id, olds, news) => require("pulumi-kubevirt/provider").vmProvider.update(id, olds, news),
  delete: (id, props) => require("pulumi-kubevirt/provider").vmProvider.delete(id, props),
};
