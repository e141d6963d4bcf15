/**
 * `strata layers IMAGE`: where an image's bytes go, layer by layer, and which of them are wasted
 * (files a later layer deletes or replaces), as dive shows it; text, `--format json` or a
 * self-contained HTML page (`--format html`, or `--html FILE` beside the text), and dive's CI
 * gate: with `--fail-*` limits a crossed one ends the command with exit 1 (LAYERS_GATE) after the
 * report, which lists the offending files. The analysis is image/waste/.
 */
import { dirname, resolve } from "node:path";
import { type Command, Option } from "commander";
import { atomicWrite } from "../../fs/atomic-write.ts";
import { StrataError } from "../../errors/error.ts";
import { analyzeImage } from "../../image/waste/image-layers.ts";
import { evaluateGate, type GateLimits } from "../../image/waste/gate.ts";
import { platformValue } from "../build-flags.ts";
import { openStore } from "../context.ts";
import { layerInstructions } from "../layers/instructions.ts";
import { layersHtml } from "../layers/html.ts";
import { parseByteSize, parseRatio } from "../layers/flags.ts";
import { layersJson } from "../layers/json.ts";
import { layersText } from "../layers/text.ts";

interface LayersOptions {
  format: "text" | "json" | "html";
  html?: string;
  platform?: string;
  top: number;
  trunc: boolean;
  failWastedBytes?: number;
  failEfficiency?: number;
  failWastedPercent?: number;
  interactive?: boolean;
}

function parseTop(value: string): number {
  if (!/^\d+$/.test(value)) throw new StrataError("USAGE", `--top ${value}: not a whole number`);
  return Number(value);
}

export function registerLayers(program: Command): void {
  program
    .command("layers")
    .description("Show what each layer of an image adds, changes and removes, and the bytes a later layer wastes (dive's view; a CI gate with --fail-*)")
    .argument("<image>", "NAME[:TAG] or image ID")
    .addOption(new Option("--format <format>", "text, json, or html (one self-contained page on standard output)").choices(["text", "json", "html"]).default("text"))
    .option("--html <file>", "also write the HTML page to FILE")
    .option("--platform <os/arch>", "of a multi-platform image, this platform's layers (default: this machine's)", platformValue)
    .option("--top <n>", "how many of the biggest and of the wasted files the text lists", parseTop, 10)
    .option("--no-trunc", "do not truncate the instructions")
    .option("-i, --interactive", "browse the layers and their file trees in the terminal (needs one)")
    .option("--fail-wasted-bytes <size>", "exit 1 when more than SIZE bytes are wasted (20MB, 5MiB, 1000)", parseByteSize("--fail-wasted-bytes"))
    .option("--fail-efficiency <ratio>", "exit 1 when the efficiency score is below RATIO (0..1)", parseRatio("--fail-efficiency"))
    .option("--fail-wasted-percent <ratio>", "exit 1 when the wasted bytes are more than RATIO (0..1) of the layers above the first", parseRatio("--fail-wasted-percent"))
    .action(async (ref: string, opts: LayersOptions, cmd: Command) => {
      if (opts.interactive) {
        if (opts.format !== "text" || opts.failWastedBytes !== undefined || opts.failEfficiency !== undefined || opts.failWastedPercent !== undefined) throw new StrataError("USAGE", "layers -i: a view for a person; --format and --fail-* are for programs and CI (run without -i)");
        if (!process.stdin.isTTY || !process.stdout.isTTY) throw new StrataError("USAGE", "layers -i: needs a terminal on standard input and output (run without -i for the text report)");
      }
      const store = await openStore(cmd);
      const img = await store.getImage(ref, opts.platform);
      const html = opts.format === "html" || opts.html !== undefined || opts.interactive === true;
      const a = await analyzeImage(store, img, { changes: html, top: Math.max(opts.top, 20), instructions: layerInstructions(img) });
      const limits: GateLimits = { wastedBytes: opts.failWastedBytes, efficiency: opts.failEfficiency, wastedRatio: opts.failWastedPercent };
      const gate = Object.values(limits).some((v) => v !== undefined) ? evaluateGate(a, limits) : undefined;
      if (opts.html !== undefined) {
        const path = resolve(opts.html);
        await atomicWrite(path, layersHtml(ref, img.configDigest, a), dirname(path), 0o644).catch((e: unknown) => {
          throw Object.assign(e as Error, { path });
        });
      }
      if (opts.interactive) {
        await (await import("../layers/tui/run.ts")).runInteractive(a, process.stdin, process.stdout);
        return;
      }
      if (opts.format === "json") process.stdout.write(`${JSON.stringify(layersJson(ref, img.configDigest, a, gate), null, 2)}\n`);
      else if (opts.format === "html") process.stdout.write(layersHtml(ref, img.configDigest, a));
      else process.stdout.write(layersText(ref, a, { top: opts.top, trunc: opts.trunc, gate }));
      if (gate && !gate.pass) {
        const failed = gate.rules.filter((r) => !r.pass);
        throw new StrataError("LAYERS_GATE", `${ref}: ${failed.map((r) => `${r.rule} (${r.message})`).join("; ")}; ${a.wasted.length} wasted file${a.wasted.length === 1 ? "" : "s"} listed above`);
      }
    });
}
