// The demo image: every line below shows up in `strata run --rm hello`.
import { from, sh } from "strata-build";

export default from("busybox:latest")
  .arg("GREETING", "hello")
  .env({ APP_HOME: "/app", GREETING: "$GREETING" })
  .workdir("$APP_HOME")
  .copy("greeting.txt", "./")
  .copy("bin/", "/usr/local/bin/")
  .run(sh`echo "built by $(id -un) in $(pwd)" > built.txt`)
  .run(sh`mkdir -p data && echo "$GREETING from a RUN step" > data/run.txt`)
  .label({ "org.opencontainers.image.title": "hello", "org.opencontainers.image.source": "examples/hello" })
  .expose(8080)
  .user("nobody")
  .cmd(["/usr/local/bin/show"]);
