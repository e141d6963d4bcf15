/**
 * A container runc could not start because the sandbox Strata runs in refused it (docs/rootless.md):
 * runc's own words in its output, turned into one ENV_SANDBOX line that names the option lifting
 * it, instead of a RUN that "exited 1" with runc's log as its output. Two refusals are known:
 * - nsexec's `failed to unshare …: Operation not permitted` (or setns, clone): a seccomp or
 *   AppArmor profile refusing namespaces (fs/confinement.ts says which confines this process);
 * - `error mounting "proc" to rootfs at "/proc": … operation not permitted`: the /proc Strata sees
 *   has paths masked from outside its user namespace (Strata in a user namespace of its own inside a
 *   container, whose runtime masked /proc), so the kernel refuses a fresh /proc.
 * Anything else is left to the caller's error.
 */
import { StrataError } from "../errors/error.ts";
import { sandboxHint } from "../fs/confinement.ts";

const NAMESPACES = /nsexec-\d+\[\d+\]: ((?:failed to unshare|failed to setns|unable to clone)[^":]*): (Operation not permitted|Permission denied)/;
const PROC = /error mounting \\?"proc\\?" to rootfs at \\?"\/proc\\?": [^\n]*?(operation not permitted|permission denied)/i;

/** The ENV_SANDBOX error for runc output that shows such a refusal, else undefined. */
export function namespaceRefusal(output: string): StrataError | undefined {
  const ns = NAMESPACES.exec(output);
  if (ns) {
    const hint = sandboxHint();
    if (hint === undefined) return undefined;
    return new StrataError("ENV_SANDBOX", `runc could not make the container's namespaces (${ns[1]}: ${ns[2]}); ${hint}`);
  }
  if (PROC.test(output)) {
    return new StrataError(
      "ENV_SANDBOX",
      "runc could not mount a /proc of the container's own (operation not permitted): the /proc strata sees has paths masked from outside its user namespace; run strata as its container's root, or give the container --security-opt unmask=ALL (Kubernetes: procMount: Unmasked; docs/rootless.md)",
    );
  }
  return undefined;
}
