import * as pulumi from "@pulumi/pulumi";

/** A provider with no side effects: the greeting is computed from the input. */
const greeter: pulumi.dynamic.ResourceProvider = {
  async create(inputs: { name: string }) {
    return { id: `greeting-${inputs.name}`, outs: { name: inputs.name, message: `hello ${inputs.name}` } };
  },
  async update(_id: string, _olds: { name: string }, news: { name: string }) {
    return { outs: { name: news.name, message: `hello ${news.name}` } };
  },
};

class Greeting extends pulumi.dynamic.Resource {
  declare readonly message: pulumi.Output<string>;
  constructor(name: string, args: { name: pulumi.Input<string> }) {
    super(greeter, name, { message: undefined, ...args }, undefined, "engineproof", "Greeting");
  }
}

const config = new pulumi.Config();
const greeting = new Greeting("greeting", { name: config.require("who") });
export const message = greeting.message;
