/**
 * The work of bench/fleet.ts: 12 images in 4 families over one pushed busybox base, each image
 * three stages, and which builder builds which image in which wave.
 *
 *   FROM BASE AS tools          COPY tools.bin (3 MB, the same in all 12)   RUN "compile" 2 s
 *   FROM BASE AS fam            COPY fam.bin (2 MB, one per family)         RUN "compile" 2 s
 *   FROM fam                    COPY --from=tools the tools' output, COPY app.bin (1 MB, its own),
 *                               RUN "compile" 1 s
 *
 * A "compile" is a `sleep` (standing for a compiler's time, so 4 builders on 2 cores measure
 * waiting, not CPU contention) and a checksum of the stage's data, so each step's output depends
 * on its input only. The data is random (incompressible), made once per run, the same for both
 * tools. Final images hold the base, the family's two layers, the tools' checksum and the app's two
 * layers, never tools.bin: a builder that downloads the 3 MB tools layer without running the tools
 * stage downloaded a layer it did not use.
 *
 * Wave 1: builder i builds family i's first image (cold: every builder runs the shared tools stage).
 * Wave 2: builder i builds the second image of family i+1 and the third of family i+2 (mod 4):
 * their tools and family stages were built by other builders, so only a cache shared through the
 * registry saves their 4 s of compile each; with it, only the app's COPY and RUN run.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Image {
  readonly name: string;
  readonly ctx: string;
}

/** Per wave, per builder, the images it builds in order. */
export type Plan = readonly (readonly (readonly Image[])[])[];

export const BUILDERS = 4;
export const STEPS_PER_IMAGE = 7;

/** Writes the 12 contexts under `dir` for the base image `base`; returns the two waves. */
export function makeWork(dir: string, base: string): Plan {
  const tools = randomBytes(3 << 20);
  const fams = Array.from({ length: BUILDERS }, () => randomBytes(2 << 20));
  const image = (f: number, a: number): Image => {
    const name = `f${f}-a${a}`;
    const ctx = join(dir, name);
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, "tools.bin"), tools);
    writeFileSync(join(ctx, "fam.bin"), fams[f] as Buffer);
    writeFileSync(join(ctx, "app.bin"), randomBytes(1 << 20));
    writeFileSync(
      join(ctx, "Dockerfile"),
      [
        `FROM ${base} AS tools`,
        "COPY tools.bin /opt/tools.bin",
        "RUN sleep 2 && sha256sum /opt/tools.bin > /opt/tools.sum",
        `FROM ${base} AS fam`,
        "COPY fam.bin /opt/fam.bin",
        "RUN sleep 2 && sha256sum /opt/fam.bin > /opt/fam.sum",
        "FROM fam",
        "COPY --from=tools /opt/tools.sum /opt/tools.sum",
        "COPY app.bin /app/app.bin",
        "RUN sleep 1 && cat /opt/*.sum > /app/sums && sha256sum /app/app.bin >> /app/sums",
        "",
      ].join("\n"),
    );
    return { name, ctx };
  };
  const wave1 = Array.from({ length: BUILDERS }, (_, i) => [image(i, 0)]);
  const wave2 = Array.from({ length: BUILDERS }, (_, i) => [image((i + 1) % BUILDERS, 1), image((i + 2) % BUILDERS, 2)]);
  return [wave1, wave2];
}
