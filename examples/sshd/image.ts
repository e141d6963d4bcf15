// The lab of docker's image lesson, on Debian 12 (bookworm): an image with sshd, ps and the
// network tools. The debian:bookworm base is scripts/debian-rootfs.sh's tarball, imported:
//   bash scripts/debian-rootfs.sh /tmp/debian.tar && strata import /tmp/debian.tar debian:bookworm
//   strata build -t sshd -f examples/sshd/image.ts examples/sshd
//   strata run --rm sshd /usr/sbin/sshd -t        # the configuration and host keys are valid
import { from, sh } from "strata-build";

/** openssh-server for sshd, procps for ps, iproute2 for ip and ss. */
const packages = ["openssh-server", "procps", "iproute2"];

export default from("debian:bookworm")
  // Only for this build: no debconf questions. (An arg, so it does not stay in the image's Env.)
  .arg("DEBIAN_FRONTEND", "noninteractive")
  // Without recommends, and the package lists removed in the same step so they never reach a layer.
  .run(sh`apt-get update && apt-get install -y --no-install-recommends ${packages} && rm -rf /var/lib/apt/lists/*`)
  // Host keys made at build time (every container of this image shares them), and the privilege
  // separation directory sshd checks for before it starts.
  .run(sh`ssh-keygen -A && mkdir -p /run/sshd && chmod 0755 /run/sshd`)
  .expose(22)
  .cmd(["/usr/sbin/sshd", "-D", "-e"]);
