/**
 * `import { from, sh } from "strata-build"`: the typed build definition of an
 * image.ts. Build it with `strata build -f image.ts`; the default export is
 * the default target, named exports are targets for `--target NAME`.
 *
 * @example
 * import { from, sh } from "strata-build";
 * export default from("busybox:latest").workdir("/app").copy("src/", "./").run(sh`make`).cmd(["./app"]);
 */
export { arg, from, heredoc, Image, scratch, sh, shellQuote } from "./image.ts";
export type * from "./types.ts";
