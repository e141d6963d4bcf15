// What a Dockerfile cannot say: a function shared by two stages, a loop that makes one target per
// tool, and a condition on a build argument.
//   strata explain examples/multi-target/image.ts                     # the default target: all tools
//   strata build -t hello-tool --target hello examples/multi-target   # one tool's image
//   strata build --build-arg FLAVOR=debug -t tools examples/multi-target
import { arg, from, type Image, sh } from "strata-build";

/** Build arguments are plain values here: conditions and loops use them directly. */
const flavor = arg("FLAVOR", "release");

/** The setup every stage shares: one function, called twice. */
function base(role: string): Image {
  return from("busybox:latest")
    .label({ "org.opencontainers.image.title": `multi-target ${role}`, "example.flavor": flavor })
    .env({ TOOLS: "/opt/tools" })
    .workdir("/opt/tools");
}

const tools = ["hello", "date", "uname"] as const;

/** One small program per tool: a loop, not three copied stages. */
const builder = tools.reduce((img, tool) => {
  const line = `exec ${tool === "hello" ? "echo hello from multi-target" : tool} "$@"`;
  return img.run(sh`{ echo '#!/bin/sh'; echo ${line}; } > ${tool} && chmod 0755 ${tool}`);
}, base("builder"));

/** A runtime image per tool, each a target of its own (`--target hello`). */
function toolImage(tool: (typeof tools)[number]): Image {
  let img = base(tool).copy(`/opt/tools/${tool}`, "/usr/local/bin/", { from: builder });
  // A condition on a build argument: debug images keep a shell entrypoint and a marker.
  if (flavor === "debug") img = img.run(sh`echo debug > /opt/tools/FLAVOR`).entrypoint(["/bin/sh", "-c"]);
  return img.cmd([`/usr/local/bin/${tool}`]);
}

export const hello = toolImage("hello");
export const date = toolImage("date");
export const uname = toolImage("uname");

/** The default target: every tool in one image. */
export default base("all")
  .copy("/opt/tools/", "/usr/local/bin/", { from: builder })
  .cmd(["/usr/local/bin/hello"]);
