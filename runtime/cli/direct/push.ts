/** `strata push` as an entry of its own: see pull.ts. */
import { registerPush } from "../commands/push.ts";
import { runCli } from "../run-cli.ts";

void runCli({ push: async () => registerPush });
