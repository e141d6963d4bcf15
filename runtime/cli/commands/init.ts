/**
 * `strata init [DIR] [--force]`: starts an image.ts project in DIR (default "."): a starter
 * `image.ts` (imports "strata-build", builds on busybox), a `tsconfig.json` for the user's own
 * editor and tsc, and a `.dockerignore`. Nothing is overwritten unless --force: an existing
 * file is FILE_EXISTS (exit 1), naming it, and nothing is written.
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { StrataError } from "../../errors/error.ts";
import { STDLIB_IMPORT } from "../../imagets/import-name.ts";

const IMAGE_TS = `// The image this folder builds: \`strata build -t app .\` (and \`strata explain .\` for its plan).
// Each call adds one instruction, as a line of a Dockerfile does. The default export is what
// \`strata build\` builds; a named export is a target (\`--target NAME\`).
import { from, sh } from "${STDLIB_IMPORT}";

export default from("busybox:latest")
  // The working directory of the calls below, and of the container.
  .workdir("/app")
  // Add files from the build context (this folder, minus .dockerignore), e.g.
  //   .copy("src/", "./src/")
  // A command run at build time; what it changes becomes a layer.
  .run(sh\`echo "hello from strata" > hello.txt\`)
  // What the container runs.
  .cmd(["cat", "hello.txt"]);
`;

/** For the user's editor and tsc: the types come from the strata-build package (npm i -D strata-build). */
const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: "es2022",
      lib: ["es2022"],
      module: "esnext",
      moduleResolution: "bundler",
      strict: true,
      noEmit: true,
      allowImportingTsExtensions: true,
      skipLibCheck: true,
      types: [],
    },
    include: ["image.ts"],
  },
  null,
  2,
)}\n`;

const DOCKERIGNORE = "node_modules\n.git\n";

export const INIT_FILES: readonly (readonly [string, string])[] = [
  ["image.ts", IMAGE_TS],
  ["tsconfig.json", TSCONFIG],
  [".dockerignore", DOCKERIGNORE],
];

/** Writes the starter files into `dir`; returns the lines to print. */
export async function initProject(dir: string, force: boolean): Promise<string[]> {
  if (!force) {
    const existing = INIT_FILES.map(([name]) => join(dir, name)).filter((p) => existsSync(p));
    if (existing.length > 0) throw new StrataError("FILE_EXISTS", `${existing.join(", ")} ${existing.length === 1 ? "exists" : "exist"}: strata init overwrites nothing (--force overwrites)`);
  }
  await mkdir(dir, { recursive: true });
  for (const [name, text] of INIT_FILES) {
    await writeFile(join(dir, name), text, { flag: force ? "w" : "wx" }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "EEXIST") throw new StrataError("FILE_EXISTS", `${join(dir, name)} exists: strata init overwrites nothing (--force overwrites)`);
      throw e;
    });
  }
  return [
    `wrote ${INIT_FILES.map(([name]) => join(dir, name)).join(", ")}`,
    "next:",
    `  npm i -D ${STDLIB_IMPORT} typescript   # types for your editor and tsc (strata checks image.ts itself)`,
    `  strata build -t app ${dir}`,
  ];
}

export function registerInit(program: Command): void {
  program
    .command("init")
    .description("Start an image.ts project: a starter image.ts, tsconfig.json and .dockerignore")
    .argument("[dir]", "the folder to write them in (made if missing)", ".")
    .option("--force", "overwrite files that exist")
    .action(async (dir: string, opts: { force?: boolean }) => {
      for (const line of await initProject(dir, opts.force === true)) process.stdout.write(`${line}\n`);
    });
}
