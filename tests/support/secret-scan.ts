/**
 * Searching what a run left behind (output, errors, state, logs) for credentials: the values that must never
 * appear in plaintext, taken from a kubeconfig, and a collection of named texts to search.
 */
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";

/** A value that must not appear, with what it is (only the label is ever printed). */
export interface Secret {
  label: string;
  value: string;
}

/** Shortest fragment searched for: long enough that a hit is no coincidence. */
const FRAGMENT = 40;

/**
 * The secrets of a kubeconfig (YAML): its token and client credentials, its clusters'
 * certificate-authority-data, and its base64; each also as a fragment from its middle (a log line that
 * cut the value short still counts).
 */
export function kubeconfigSecrets(kubeconfig: string): Secret[] {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const secrets: Secret[] = [];
  for (const c of kc.getClusters()) {
    if (c.caData) secrets.push({ label: `certificate-authority-data of ${c.name}`, value: c.caData });
  }
  for (const u of kc.getUsers()) {
    const fields = { token: u.token, "client-certificate-data": u.certData, "client-key-data": u.keyData };
    for (const [field, value] of Object.entries(fields)) {
      if (value) secrets.push({ label: `${field} of ${u.name}`, value });
    }
    if (u.password) secrets.push({ label: `password of ${u.name}`, value: u.password });
  }
  secrets.push({ label: "the kubeconfig's base64", value: Buffer.from(kubeconfig).toString("base64") });
  return secrets.flatMap((s) => {
    if (s.value.length < FRAGMENT * 2) return [s];
    const start = Math.floor((s.value.length - FRAGMENT) / 2);
    return [s, { label: `${s.label} (fragment)`, value: s.value.slice(start, start + FRAGMENT) }];
  });
}

/** Named texts to search. */
export class Texts {
  private readonly items: { name: string; text: string }[] = [];

  add(name: string, text: string): void {
    this.items.push({ name, text });
  }

  /** Adds every regular file under `dir` (symbolic links and node_modules are not followed). */
  addTree(prefix: string, dir: string): void {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      const stat = lstatSync(path);
      if (stat.isSymbolicLink() || entry === "node_modules") continue;
      if (stat.isDirectory()) this.addTree(`${prefix}/${entry}`, path);
      else if (stat.isFile()) this.add(`${prefix}/${entry}`, readFileSync(path, "latin1"));
    }
  }

  get count(): number {
    return this.items.length;
  }

  /** How many of the texts have names starting with `prefix`. */
  countOf(prefix: string): number {
    return this.items.filter((i) => i.name.startsWith(prefix)).length;
  }

  /** Total size in KB. */
  get kilobytes(): number {
    return Math.round(this.items.reduce((n, i) => n + i.text.length, 0) / 1024);
  }

  /** Every (text, secret) pair where the secret occurs, as `text name: secret label`. */
  hits(secrets: readonly Secret[]): string[] {
    return this.items.flatMap((i) =>
      secrets.filter((s) => i.text.includes(s.value)).map((s) => `${i.name}: ${s.label}`),
    );
  }
}
