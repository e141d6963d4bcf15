/**
 * The dependency rules of Strata's source tree (ARCHITECTURE.md, "Folders
 * and the direction of dependencies"), checked by `npm test`
 * (scripts/test.sh runs `depcruise`). Type-only imports count: a folder
 * that names another's types depends on it.
 *
 * - No import cycles between folders; none between modules but through a
 *   type-only import (erased at run time; a folder's types may name each
 *   other).
 * - compiler/ imports nothing of runtime/; of stdlib/ only the record types
 *   of stdlib/record.ts, as types.
 * - stdlib/ imports compiler/ir/ only.
 * - runtime/ folders form one order (RUNTIME_ORDER below): a folder imports
 *   only folders before it, never one after it.
 * - runtime/engine/ is split by phase (ENGINE_PHASES): a phase imports only
 *   earlier phases, and no phase imports the engine's own entry points
 *   (runtime/engine/*.ts), which sit above them all.
 */

/** Lowest first. */
const RUNTIME_ORDER = ["errors", "fs", "layer", "runc", "store", "snapshot", "image", "registry", "imagets", "engine", "container", "rootless", "cli"];
const ENGINE_PHASES = ["input", "compile", "context", "plan", "exec"];

const later = (list, i) => list.slice(i + 1).join("|");

const runtimeOrder = RUNTIME_ORDER.slice(0, -1).map((folder, i) => ({
  name: `runtime-order-${folder}`,
  comment: `runtime/${folder}/ may import only the runtime folders before it (${RUNTIME_ORDER.slice(0, i).join(", ") || "none"})`,
  severity: "error",
  from: { path: `^runtime/${folder}/` },
  to: { path: `^runtime/(${later(RUNTIME_ORDER, i)})/` },
}));

const enginePhases = ENGINE_PHASES.map((phase, i) => ({
  name: `engine-phase-${phase}`,
  comment: `runtime/engine/${phase}/ may import only the engine phases before it (${ENGINE_PHASES.slice(0, i).join(", ") || "none"}), never the engine's entry points`,
  severity: "error",
  from: { path: `^runtime/engine/${phase}/` },
  to: { path: i < ENGINE_PHASES.length - 1 ? `^runtime/engine/((${later(ENGINE_PHASES, i)})/|[^/]+\\.ts$)` : "^runtime/engine/[^/]+\\.ts$" },
}));

module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      comment: "no module cycles of imports that load code (a cycle through a type-only import is erased at run time: the stdlib's Image and its option types name each other)",
      severity: "error",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    { name: "no-folder-cycles", comment: "no cycles between folders either", severity: "error", scope: "folder", from: {}, to: { circular: true } },
    { name: "compiler-not-runtime", comment: "compiler/ imports nothing of runtime/", severity: "error", from: { path: "^compiler/" }, to: { path: "^runtime/" } },
    {
      name: "compiler-stdlib-types-only",
      comment: "compiler/ may name stdlib/record.ts's types, nothing else of stdlib/",
      severity: "error",
      from: { path: "^compiler/" },
      to: { path: "^stdlib/", pathNot: "^stdlib/record\\.ts$" },
    },
    {
      name: "compiler-stdlib-record-as-types",
      comment: "stdlib/record.ts is imported by compiler/ as types only",
      severity: "error",
      from: { path: "^compiler/" },
      to: { path: "^stdlib/record\\.ts$", dependencyTypesNot: ["type-only"] },
    },
    { name: "stdlib-only-ir", comment: "stdlib/ imports compiler/ir/ only", severity: "error", from: { path: "^stdlib/" }, to: { path: "^(compiler|runtime)/", pathNot: "^compiler/ir/" } },
    ...runtimeOrder,
    ...enginePhases,
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules" },
    // swc parses the TypeScript and keeps type-only imports as dependencies (typescript 7 has no
    // compiler API for dependency-cruiser to use, and tsPreCompilationDeps would ask for it).
    parser: "swc",
    // Node built-ins and packages are outside these rules.
    includeOnly: "^(compiler|runtime|stdlib)/",
  },
};
