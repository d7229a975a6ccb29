//! Facts about the scan target for results files: what the root says about itself
//! (`/etc/os-release`, `/etc/hostname`), plus the live host's network identity when the root is `/`.

use crate::host::Root;
use crate::results::document::TargetFacts;

pub fn facts(root: &Root) -> TargetFacts {
    let os_release = root.read_to_string("/etc/os-release").map(|(text, _)| text).unwrap_or_default();
    let field = |key: &str| {
        os_release.lines().find_map(|line| {
            let value = line.strip_prefix(key)?.strip_prefix('=')?;
            Some(value.trim().trim_matches('"').to_string())
        })
    };
    let hostname = if root.is_host_root() {
        live_hostname()
    } else {
        root.read_to_string("/etc/hostname")
            .ok()
            .and_then(|(t, _)| t.lines().next().map(|l| l.trim().to_string()))
    };
    let mut facts = TargetFacts {
        root: root.base().display().to_string(),
        hostname: hostname.filter(|h| !h.is_empty()).unwrap_or_else(|| "unknown".to_string()),
        fqdn: None,
        os_name: field("PRETTY_NAME").or_else(|| field("NAME")),
        os_version: field("VERSION_ID"),
        architecture: None,
        ..TargetFacts::default()
    };
    // SAFETY: geteuid has no preconditions and cannot fail.
    facts.privileged = unsafe { libc::geteuid() } == 0;
    facts.user = ["USER", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .or_else(|| facts.privileged.then(|| "root".to_string()));
    if root.is_host_root() {
        facts.architecture = Some(std::env::consts::ARCH.to_string());
        let info = crate::eval::engine::system_info(root);
        for (_, ip, mac) in info.interfaces {
            if ip.contains(':') {
                facts.ipv6.push(ip);
            } else if !ip.is_empty() {
                facts.ipv4.push(ip);
            }
            if !mac.is_empty() && !facts.mac.contains(&mac) {
                facts.mac.push(mac);
            }
        }
    }
    facts
}

fn live_hostname() -> Option<String> {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most `len` bytes into the buffer we own.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return None;
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    Some(String::from_utf8_lossy(&buf[..end]).into_owned())
}
