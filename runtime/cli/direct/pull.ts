/**
 * `strata pull` as an entry of its own (scripts/bundle.mjs bundles each file of cli/direct/
 * into one file, which bin/strata.js runs when the command word is this file's name): the
 * command's code in one module, not the ~50 chunks of the split bundle, whose resolution and
 * loading were a third of a pull's time (bench/registry.ts).
 */
import { registerPull } from "../commands/pull.ts";
import { runCli } from "../run-cli.ts";

void runCli({ pull: async () => registerPull });
