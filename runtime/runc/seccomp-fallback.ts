import type { ProfileSyscall, SeccompProfile } from "./seccomp.ts";

/**
 * Strata's own default seccomp profile, used only where containers-common's
 * seccomp.json is not installed (seccomp.ts). A deny list, in docker's profile
 * format, of what docker's and podman's default profiles keep from a
 * container without the capability that would allow it: kernel keyrings,
 * module loading, kexec, bpf, perf, userfaultfd, namespaces (unshare, setns
 * and clone with a CLONE_NEW* flag), mounts and host naming (without
 * CAP_SYS_ADMIN), reboot (without CAP_SYS_BOOT). Everything else is allowed:
 * weaker than an allow list, it never breaks a program that uses a syscall
 * newer than the list. clone3 answers ENOSYS, so libc falls back to clone,
 * whose flags a filter can read.
 */
const EPERM = 1;
const ENOSYS = 38;

const deny = (names: string[], unlessCap?: string): ProfileSyscall => ({
  names,
  action: "SCMP_ACT_ERRNO",
  errnoRet: EPERM,
  ...(unlessCap !== undefined && { excludes: { caps: [unlessCap] } }),
});

/** CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME. */
const CLONE_NEW_FLAGS = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000, 0x00000080];

export const FALLBACK_PROFILE: SeccompProfile = {
  defaultAction: "SCMP_ACT_ALLOW",
  syscalls: [
    deny(["add_key", "request_key", "keyctl", "kexec_load", "kexec_file_load", "userfaultfd", "nfsservctl"]),
    deny(["bpf", "perf_event_open", "fanotify_init", "lookup_dcookie", "quotactl", "unshare", "setns", "mount", "umount", "umount2", "pivot_root", "sethostname", "setdomainname", "swapon", "swapoff"], "CAP_SYS_ADMIN"),
    deny(["init_module", "finit_module", "delete_module"], "CAP_SYS_MODULE"),
    deny(["open_by_handle_at"], "CAP_DAC_READ_SEARCH"),
    deny(["reboot"], "CAP_SYS_BOOT"),
    { names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: ENOSYS, excludes: { caps: ["CAP_SYS_ADMIN"] } },
    ...CLONE_NEW_FLAGS.map(
      (flag): ProfileSyscall => ({
        names: ["clone"],
        action: "SCMP_ACT_ERRNO",
        errnoRet: EPERM,
        // s390 passes the flags second; everywhere else first.
        args: [{ index: process.arch === "s390x" ? 1 : 0, value: flag, valueTwo: flag, op: "SCMP_CMP_MASKED_EQ" }],
        excludes: { caps: ["CAP_SYS_ADMIN"] },
      }),
    ),
  ],
};
