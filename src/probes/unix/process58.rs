//! `unix:process58_object`: processes, read from `/proc/<pid>/…` inside the root.
//!
//! For `/` this is the live process table; a mounted root has an empty `/proc`, so there are
//! no processes (`does not exist`), which is also what OpenSCAP reports under
//! `OSCAP_PROBE_ROOT`. Field derivations follow oscap (and ps): kernel threads (pid 2 and its
//! children) are skipped; the command line joins `cmdline` arguments with spaces, with
//! non-printable bytes as `.`, falling back to the 15-character `comm` (zombies:
//! `[comm] <defunct>`); `exec_time` is user+system CPU time as `[D-]HH:MM:SS`; `start_time` is
//! local `HH:MM:SS` for today, else `Mon_DD`; the scheduling class comes from the stat policy.

use std::ffi::CString;

use crate::host::Root;
use crate::model::oval::{Datatype, Family, Item, ItemStatus};

use crate::probes::independent::environmentvariable58::process_ids;
use crate::probes::support::entity_filter::{accepts, push_without_value};
use crate::probes::{Collected, Probe, ProbeContext, ResolvedObject, item_type};

/// Capability names by number, as the OVAL 5.11 CapabilityType enumeration lists them.
const CAPABILITIES: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
];

/// The fields of `/proc/<pid>/stat` the probe uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcStat {
    pub pid: u32,
    pub comm: String,
    pub state: char,
    pub ppid: u32,
    pub session: i64,
    pub tty_nr: u64,
    pub utime: u64,
    pub stime: u64,
    pub priority: i64,
    pub start_ticks: u64,
    pub policy: u32,
}

/// Parse a stat line; the command name may itself contain spaces and parentheses, so the
/// fields after it are found from the *last* `)`.
pub fn parse_stat(text: &str) -> Option<ProcStat> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let pid = text[..open].trim().parse().ok()?;
    let comm = text.get(open + 1..close)?.to_string();
    let rest: Vec<&str> = text.get(close + 1..)?.split_whitespace().collect();
    // rest[0] is field 3 (state); field n is rest[n - 3].
    let field = |n: usize| rest.get(n - 3).copied();
    let num = |n: usize| field(n).and_then(|v| v.parse::<i64>().ok());
    Some(ProcStat {
        pid,
        comm,
        state: field(3)?.chars().next()?,
        ppid: num(4)?.try_into().ok()?,
        session: num(6)?,
        tty_nr: num(7)?.try_into().unwrap_or(0),
        utime: num(14)?.try_into().ok()?,
        stime: num(15)?.try_into().ok()?,
        priority: num(18)?,
        start_ticks: num(22)?.try_into().ok()?,
        policy: num(41).and_then(|p| p.try_into().ok()).unwrap_or(0),
    })
}

/// `cmdline` as ps shows it; `None` when empty (kernel threads, zombies).
pub fn command_line(raw: &[u8]) -> Option<String> {
    let end = raw.iter().rposition(|&b| b != 0)? + 1;
    Some(
        raw[..end]
            .iter()
            .map(|&b| match b {
                0 | b'\n' => ' ',
                b if (0x20..0x7f).contains(&b) => b as char,
                _ => '.',
            })
            .collect(),
    )
}

/// CPU seconds as `[D-]HH:MM:SS`.
pub fn format_cpu_time(seconds: u64) -> String {
    let (d, h, m, s) = (seconds / 86_400, seconds / 3600 % 24, seconds / 60 % 60, seconds % 60);
    if d > 0 { format!("{d}-{h:02}:{m:02}:{s:02}") } else { format!("{h:02}:{m:02}:{s:02}") }
}

fn scheduling_class(policy: u32) -> &'static str {
    match policy {
        0 => "TS",
        1 => "FF",
        2 => "RR",
        3 => "B",
        5 => "#5",
        _ => "?",
    }
}

/// Terminal name for a `tty_nr` (the common cases of procps' `dev_to_tty`); `?` for none.
pub fn tty_name(tty_nr: u64) -> String {
    let major = (tty_nr >> 8) & 0xfff;
    let minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
    match major {
        0 => "?".to_string(),
        136..=143 => format!("pts/{}", minor + (major - 136) * 256),
        4 if minor < 64 => format!("tty{minor}"),
        4 => format!("ttyS{}", minor - 64),
        5 if minor == 1 => "console".to_string(),
        _ => "?".to_string(),
    }
}

/// Names of the effective capabilities in a `CapEff:` hex mask.
pub fn capability_names(mask: u64) -> Vec<&'static str> {
    CAPABILITIES.iter().enumerate().filter(|(bit, _)| mask & (1u64 << bit) != 0).map(|(_, n)| *n).collect()
}

/// Local `HH:MM:SS` if `epoch` is today, else `Mon_DD`.
fn format_start_time(epoch: i64, now: i64) -> Option<String> {
    let local = |t: i64| -> Option<libc::tm> {
        // SAFETY: localtime_r writes into the zeroed tm we pass and reads only `t`.
        let mut tm: libc::tm = unsafe { std::mem::zeroed() };
        let t: libc::time_t = t;
        (!unsafe { libc::localtime_r(&t, &mut tm) }.is_null()).then_some(tm)
    };
    let (start, today) = (local(epoch)?, local(now)?);
    let format =
        if start.tm_yday == today.tm_yday && start.tm_year == today.tm_year { "%H:%M:%S" } else { "%b_%d" };
    let c_format = CString::new(format).ok()?;
    let mut buf = [0u8; 32];
    // SAFETY: buf is writable for its length; format and tm are valid.
    let n = unsafe { libc::strftime(buf.as_mut_ptr().cast(), buf.len(), c_format.as_ptr(), &start) };
    (n > 0).then(|| String::from_utf8_lossy(&buf[..n]).into_owned())
}

/// exec-shield as oscap reads it from `maps`: the last writable mapping decides.
fn exec_shield(maps: &str) -> bool {
    let mut status = None;
    for line in maps.lines() {
        let mut parts = line.split_whitespace();
        let (Some(_range), Some(perms), Some(offset)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        if let Some(rest) = perms.strip_prefix("rw") {
            let offset = u64::from_str_radix(offset, 16).unwrap_or(0);
            status = Some(!(rest.starts_with('x') && offset != 0));
        }
    }
    status.unwrap_or(false)
}

pub struct Process58Probe;

impl Probe for Process58Probe {
    fn object_type(&self) -> (Family, &'static str) {
        (Family::Unix, "process58_object")
    }

    fn collect(&self, object: &ResolvedObject<'_>, ctx: &ProbeContext<'_>) -> Collected {
        if object.entity("command_line").is_none() && object.entity("pid").is_none() {
            return Collected::error("process58_object needs a `command_line` or `pid` entity");
        }
        let root = ctx.root();
        let boot_time = read_boot_time(root);
        // SAFETY: sysconf has no preconditions.
        let ticks = u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) }).unwrap_or(100).max(1);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let mut items = Vec::new();
        for pid in process_ids(root) {
            if pid == 2 {
                continue;
            }
            let Some(stat) =
                root.read_to_string(&format!("/proc/{pid}/stat")).ok().and_then(|(t, _)| parse_stat(&t))
            else {
                continue;
            };
            if stat.ppid == 2 {
                continue;
            }
            let command = if stat.state == 'Z' {
                format!("[{}] <defunct>", short_comm(&stat.comm))
            } else {
                root.read(&format!("/proc/{pid}/cmdline"))
                    .ok()
                    .and_then(|c| command_line(&c.bytes))
                    .unwrap_or_else(|| short_comm(&stat.comm))
            };
            let matched = accepts(object, "command_line", &command)
                .and_then(|ok| if ok { accepts(object, "pid", &pid.to_string()) } else { Ok(false) });
            match matched {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => return Collected::error(e.to_string()),
            }
            let start = boot_time.map(|b| b + (stat.start_ticks / ticks) as i64);
            items.push(process_item(
                object,
                root,
                &stat,
                &command,
                ticks,
                start.and_then(|s| format_start_time(s, now)),
            ));
        }
        Collected::from_items(items)
    }
}

/// `comm` as the 15 characters the kernel keeps (and oscap copies).
fn short_comm(comm: &str) -> String {
    comm.chars().take(15).collect()
}

fn read_boot_time(root: &Root) -> Option<i64> {
    let (text, _) = root.read_to_string("/proc/stat").ok()?;
    text.lines().find_map(|l| l.strip_prefix("btime ")).and_then(|v| v.trim().parse().ok())
}

fn process_item(
    object: &ResolvedObject<'_>,
    root: &Root,
    stat: &ProcStat,
    command: &str,
    ticks: u64,
    start_time: Option<String>,
) -> Item {
    let pid = stat.pid;
    let status = root.read_to_string(&format!("/proc/{pid}/status")).map(|(t, _)| t).unwrap_or_default();
    let status_field = |key: &str| status.lines().find_map(|l| l.strip_prefix(key)).map(str::trim);
    let uids: Vec<&str> = status_field("Uid:").map(|v| v.split_whitespace().collect()).unwrap_or_default();
    let mut item = Item::new(item_type(object.kind));
    item.push("command_line", Datatype::String, command);
    item.push("exec_time", Datatype::String, format_cpu_time(stat.utime / ticks + stat.stime / ticks));
    item.push("pid", Datatype::Int, pid.to_string());
    item.push("ppid", Datatype::Int, stat.ppid.to_string());
    item.push("priority", Datatype::Int, stat.priority.to_string());
    match uids.first() {
        Some(ruid) => item.push("ruid", Datatype::Int, *ruid),
        None => push_without_value(&mut item, "ruid", Datatype::Int, ItemStatus::Error),
    }
    item.push("scheduling_class", Datatype::String, scheduling_class(stat.policy));
    match start_time {
        Some(t) => item.push("start_time", Datatype::String, t),
        None => push_without_value(&mut item, "start_time", Datatype::String, ItemStatus::Error),
    }
    item.push("tty", Datatype::String, tty_name(stat.tty_nr));
    match uids.get(1) {
        Some(euid) => item.push("user_id", Datatype::Int, *euid),
        None => push_without_value(&mut item, "user_id", Datatype::Int, ItemStatus::Error),
    }
    let maps = root.read_to_string(&format!("/proc/{pid}/maps")).map(|(t, _)| t).unwrap_or_default();
    item.push("exec_shield", Datatype::Boolean, exec_shield(&maps).to_string());
    let loginuid =
        root.read_to_string(&format!("/proc/{pid}/loginuid")).ok().map(|(t, _)| t.trim().to_string());
    match loginuid.filter(|l| !l.is_empty()) {
        Some(l) => item.push("loginuid", Datatype::Int, l),
        None => push_without_value(&mut item, "loginuid", Datatype::Int, ItemStatus::DoesNotExist),
    }
    if let Some(mask) = status_field("CapEff:").and_then(|v| u64::from_str_radix(v, 16).ok()) {
        for name in capability_names(mask) {
            item.push("posix_capability", Datatype::String, name);
        }
    }
    let label = root.read_to_string(&format!("/proc/{pid}/attr/current")).ok().and_then(|(t, _)| {
        let context = t.trim_end_matches(['\0', '\n']).to_string();
        context.split(':').nth(2).map(str::to_string)
    });
    match label {
        Some(l) => item.push("selinux_domain_label", Datatype::String, l),
        None => {
            push_without_value(&mut item, "selinux_domain_label", Datatype::String, ItemStatus::DoesNotExist)
        }
    }
    item.push("session_id", Datatype::Int, stat.session.to_string());
    item
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probes::support::entity_filter::test_support::{
        collect, equals, field_names, pattern, text, texts,
    };
    use crate::semantics::CollectedFlag;
    use std::fs;

    fn stat_line(pid: u32, comm: &str, state: char, ppid: u32) -> String {
        // Fields 3..=41 with recognisable values: utime 250, stime 150 ticks, priority 20,
        // starttime 1000 ticks, tty_nr 34816 (pts/0), session 7, policy 0.
        let mut f: Vec<String> = (3..=41).map(|_| "0".to_string()).collect();
        f[0] = state.to_string();
        f[1] = ppid.to_string();
        f[3] = "7".into();
        f[4] = "34816".into();
        f[11] = "250".into();
        f[12] = "150".into();
        f[15] = "20".into();
        f[19] = "1000".into();
        format!("{pid} ({comm}) {}", f.join(" "))
    }

    fn fixture() -> (tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("proc");
        fs::create_dir_all(&p).unwrap();
        fs::write(p.join("stat"), "cpu 1 2 3\nbtime 1700000000\n").unwrap();
        let procs: &[(u32, &str, char, u32, &[u8])] = &[
            (1, "systemd", 'S', 0, b"/sbin/init\0splash\0"),
            (2, "kthreadd", 'S', 0, b""),
            (9, "kworker/0:1", 'I', 2, b""),
            (300, "mfetpd", 'S', 1, b"mfetpd\0--daemon\x01\0\0"),
            (301, "my (odd) name", 'S', 1, b""),
            (302, "gone", 'Z', 1, b""),
        ];
        for (pid, comm, state, ppid, cmdline) in procs {
            let d = p.join(pid.to_string());
            fs::create_dir_all(d.join("attr")).unwrap();
            fs::write(d.join("stat"), stat_line(*pid, comm, *state, *ppid)).unwrap();
            fs::write(d.join("cmdline"), cmdline).unwrap();
            fs::write(d.join("status"), "Name:\tx\nUid:\t0\t1000\t0\t0\nCapEff:\t0000000000003001\n")
                .unwrap();
            fs::write(d.join("loginuid"), "4294967295").unwrap();
            fs::write(d.join("attr/current"), "system_u:system_r:init_t:s0\0").unwrap();
        }
        let root = Root::new(dir.path()).unwrap();
        (dir, root)
    }

    #[test]
    fn command_line_matching_and_item_fields() {
        let (_d, root) = fixture();
        let c = collect(&Process58Probe, vec![pattern("command_line", "^mfetpd.*$")], &root);
        assert_eq!(c.flag, CollectedFlag::Complete);
        let item = &c.items[0];
        assert_eq!(
            field_names(item),
            [
                "command_line",
                "exec_time",
                "pid",
                "ppid",
                "priority",
                "ruid",
                "scheduling_class",
                "start_time",
                "tty",
                "user_id",
                "exec_shield",
                "loginuid",
                "posix_capability",
                "posix_capability",
                "posix_capability",
                "selinux_domain_label",
                "session_id"
            ]
        );
        assert_eq!(text(item, "command_line"), "mfetpd --daemon.");
        assert_eq!(text(item, "pid"), "300");
        assert_eq!(text(item, "ruid"), "0");
        assert_eq!(text(item, "user_id"), "1000");
        assert_eq!(text(item, "tty"), "pts/0");
        assert_eq!(text(item, "scheduling_class"), "TS");
        assert_eq!(text(item, "selinux_domain_label"), "init_t");
        assert_eq!(texts(item, "posix_capability"), ["CAP_CHOWN", "CAP_NET_ADMIN", "CAP_NET_RAW"]);
        assert_eq!(text(item, "loginuid"), "4294967295");
    }

    #[test]
    fn kernel_threads_skipped_comm_fallback_and_zombie() {
        let (_d, root) = fixture();
        let c = collect(&Process58Probe, vec![pattern("command_line", ".*")], &root);
        let commands: Vec<_> = c.items.iter().map(|i| text(i, "command_line")).collect();
        assert_eq!(commands, ["/sbin/init splash", "mfetpd --daemon.", "my (odd) name", "[gone] <defunct>"]);
        let c = collect(&Process58Probe, vec![equals("pid", "301")], &root);
        assert_eq!(c.items.len(), 1);
    }

    #[test]
    fn empty_proc_does_not_exist() {
        let dir = tempfile::tempdir().unwrap();
        let c =
            collect(&Process58Probe, vec![pattern("command_line", ".*")], &Root::new(dir.path()).unwrap());
        assert_eq!(c.flag, CollectedFlag::DoesNotExist);
    }

    #[test]
    fn helpers() {
        assert_eq!(format_cpu_time(3 * 86_400 + 3661), "3-01:01:01");
        assert_eq!(format_cpu_time(59), "00:00:59");
        assert_eq!(tty_name(0), "?");
        assert_eq!(tty_name((4 << 8) | 1), "tty1");
        assert_eq!(tty_name((137 << 8) | 2), "pts/258");
        assert!(exec_shield("00400000-00401000 rw-p 00000000 08:01 1 /x\n"));
        assert!(!exec_shield("00400000-00401000 rwxp 00001000 08:01 1 /x\n"));
        let s = parse_stat(&stat_line(5, "a) (b", 'R', 1)).unwrap();
        assert_eq!((s.comm.as_str(), s.ppid, s.priority, s.start_ticks), ("a) (b", 1, 20, 1000));
    }

    #[test]
    fn live_process_table_contains_this_test() {
        let root = Root::new("/").unwrap();
        let me = std::process::id().to_string();
        let c = collect(&Process58Probe, vec![equals("pid", &me)], &root);
        assert_eq!(c.items.len(), 1);
        let start = text(&c.items[0], "start_time");
        assert!(start.len() == 8 || start.contains('_'), "start_time {start}");
    }
}
