"""Drives a command on a pseudo-terminal: waits for a shell prompt, types argv[1], prints what the
terminal showed and exits with the command's exit code. Usage: drive_tty.py INPUT COMMAND [ARG...]"""
import os
import pty
import select
import sys
import time

pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
out = b""
sent = False
deadline = time.time() + 45
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.2)
    if fd in ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    if not sent and (b"# " in out or b"$ " in out):
        os.write(fd, sys.argv[1].encode() + b"\r")
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
