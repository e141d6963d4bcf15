/**
 * One download of a blob at a time across the strata processes of a store: before a pull
 * fetches a blob it claims it, with an O_EXCL file tmp/claim-<hex> that names its owner
 * (fs/owner.ts). Once the owner has the blob whole and checked (staged, not yet committed:
 * image/staging.ts commits a pull's blobs together), it appends `staged <ingest path>`, and the
 * others take that file instead of downloading it again (a hard link: their own ingest of the
 * same bytes, which outlives the owner's). Waiting for the staged file, not for the owner's
 * commit, means two pulls that each hold a blob the other wants never wait for each other. The
 * owner removes its claim after its commit or discard; a claim whose owner died is taken over,
 * by one process at a time (`takeOver`): two that both saw the dead claim must not remove each
 * other's fresh one, or both would download.
 */
import { appendFile, mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createOwned, ownerAlive } from "../fs/owner.ts";
import { hexOf, type StoreLayout } from "./layout.ts";

/** This process fetches the blob: `staged` tells the others where it is, `release` ends the claim. */
export interface HeldClaim {
  readonly kind: "mine";
  staged(path: string): Promise<void>;
  release(): Promise<void>;
}

/** What a claim comes to: this process fetches; the store has it; another process staged it at `path`. */
export type ClaimOutcome = HeldClaim | { readonly kind: "stored" } | { readonly kind: "staged"; readonly path: string };

const POLL_MS = 50;

export function claimPath(layout: StoreLayout, digest: string): string {
  return join(layout.tmp, `claim-${hexOf(digest)}`);
}

/** Claims the download of `digest`, or waits for the process that has (see the header). `stored` says whether the blob is there already. */
export async function claimIngest(layout: StoreLayout, digest: string, stored: () => Promise<boolean>): Promise<ClaimOutcome> {
  const path = claimPath(layout, digest);
  await mkdir(layout.tmp, { recursive: true });
  for (;;) {
    if (await stored()) return { kind: "stored" };
    if (await createOwned(path, "\n")) {
      // The owner before may have committed and released between our look and our claim.
      if (await stored()) {
        await rm(path, { force: true });
        return { kind: "stored" };
      }
      return held(path);
    }
    const text = await readFile(path, "utf8").catch(() => undefined);
    if (text === undefined) continue;
    const [owner = "", ...rest] = text.split("\n");
    // An empty file is a claim being written.
    if (owner.trim() !== "" && !ownerAlive(owner)) {
      await takeOver(path, owner);
      continue;
    }
    const staged = rest.find((l) => l.startsWith("staged "));
    if (staged !== undefined) return { kind: "staged", path: staged.slice("staged ".length) };
    await sleep(POLL_MS);
  }
}

/**
 * Removes the claim at `path` if it still names the dead `owner`. Under `<path>.takeover`
 * (O_EXCL, naming this process): whoever holds it re-reads the claim before removing it, so a
 * claim another process made after the dead one is never removed. A takeover lock left by a
 * process that died in those few calls is removed by the next one to find it.
 */
async function takeOver(path: string, owner: string): Promise<void> {
  const lock = `${path}.takeover`;
  if (!(await createOwned(lock, "\n"))) {
    if (await staleClaim(lock)) await rm(lock, { force: true });
    else await sleep(POLL_MS);
    return;
  }
  try {
    const now = await readFile(path, "utf8").catch(() => undefined);
    if (now !== undefined && now.split("\n")[0] === owner) await rm(path, { force: true });
  } finally {
    await rm(lock, { force: true });
  }
}

function held(path: string): HeldClaim {
  let released = false;
  return {
    kind: "mine",
    staged: async (ingest) => {
      if (!released) await appendFile(path, `staged ${ingest}\n`);
    },
    release: async () => {
      if (released) return;
      released = true;
      await rm(path, { force: true });
    },
  };
}

/** Whether a file in tmp/ is a claim whose owner is gone (for reclaim.ts). */
export async function staleClaim(file: string): Promise<boolean> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  const owner = text?.split("\n")[0]?.trim() ?? "";
  return text !== undefined && owner !== "" && !ownerAlive(owner);
}
