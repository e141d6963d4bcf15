// ENTRYPOINT and CMD together: the entrypoint (exec form) is the program that always runs, CMD
// (exec form too) its default arguments. Arguments after the image name replace CMD only:
//   strata build -t entrypoint -f examples/entrypoint/image.ts examples/entrypoint
//   strata run --rm entrypoint                 ->  Hello, world!
//   strata run --rm entrypoint Strata users    ->  Hello, Strata users!
import { from } from "strata-build";

export default from("busybox:latest")
  // `sh -c SCRIPT NAME ARG...` runs SCRIPT with $0 set to NAME and the arguments as $1...; "$*"
  // joins them all with spaces (printf "Hello, %s!\n" would repeat its format once per argument).
  .entrypoint(["/bin/sh", "-c", 'echo "Hello, $*!"', "greet"])
  .cmd(["world"]);
