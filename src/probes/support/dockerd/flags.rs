//! dockerd's command line as dockerd (cobra + pflag) reads it: `--name=value` and `--name value`,
//! switches with an optional `=false`, one-letter flags alone, joined (`-DH tcp://…`), with the
//! value attached (`-Htcp://…`, `-H=tcp://…`) or in the next word, `--` ending the flags. dockerd
//! takes no arguments: a word that is not a flag (`--userland-proxy false` leaves `false`) makes it
//! refuse to start, as does a value-taking flag without a value.
//!
//! Each flag is reported under its daemon.json key (`-H` → `hosts`, `--log-opt k=v` →
//! `log-opts.k`), so the command line and the file can be merged and compared.

use super::Origin;

/// How a flag takes its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A switch: `--debug`, `--debug=false`.
    Bool,
    /// One value; the last one given wins.
    Value,
    /// Repeatable; every value counts.
    List,
    /// Repeatable `key=value`; a later key replaces an earlier one.
    Map,
}

/// One dockerd flag: long name, one-letter name, kind, and its daemon.json key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlagSpec {
    pub long: &'static str,
    pub short: Option<char>,
    pub kind: Kind,
    pub key: &'static str,
}

const fn f(long: &'static str, short: Option<char>, kind: Kind, key: &'static str) -> FlagSpec {
    FlagSpec { long, short, kind, key }
}

use Kind::{Bool, List, Map, Value};

/// dockerd's flags on Linux (`dockerd --help`, Docker Engine 18.09–19.03, the Enterprise 2.x
/// engines, plus the deprecated `--graph` and `--disable-legacy-registry` they still accepted).
pub const FLAGS: &[FlagSpec] = &[
    f("add-runtime", None, Map, "runtimes"),
    f("allow-nondistributable-artifacts", None, List, "allow-nondistributable-artifacts"),
    f("api-cors-header", None, Value, "api-cors-header"),
    f("authorization-plugin", None, List, "authorization-plugins"),
    f("bip", None, Value, "bip"),
    f("bridge", Some('b'), Value, "bridge"),
    f("cgroup-parent", None, Value, "cgroup-parent"),
    f("cluster-advertise", None, Value, "cluster-advertise"),
    f("cluster-store", None, Value, "cluster-store"),
    f("cluster-store-opt", None, Map, "cluster-store-opts"),
    f("config-file", None, Value, "config-file"),
    f("containerd", None, Value, "containerd"),
    f("containerd-namespace", None, Value, "containerd-namespace"),
    f("containerd-plugins-namespace", None, Value, "containerd-plugins-namespace"),
    f("cpu-rt-period", None, Value, "cpu-rt-period"),
    f("cpu-rt-runtime", None, Value, "cpu-rt-runtime"),
    f("cri-containerd", None, Bool, "cri-containerd"),
    f("data-root", None, Value, "data-root"),
    f("debug", Some('D'), Bool, "debug"),
    f("default-address-pool", None, List, "default-address-pools"),
    f("default-gateway", None, Value, "default-gateway"),
    f("default-gateway-v6", None, Value, "default-gateway-v6"),
    f("default-ipc-mode", None, Value, "default-ipc-mode"),
    f("default-runtime", None, Value, "default-runtime"),
    f("default-shm-size", None, Value, "default-shm-size"),
    f("default-ulimit", None, Map, "default-ulimits"),
    f("disable-legacy-registry", None, Bool, "disable-legacy-registry"),
    f("dns", None, List, "dns"),
    f("dns-opt", None, List, "dns-opts"),
    f("dns-search", None, List, "dns-search"),
    f("exec-opt", None, List, "exec-opts"),
    f("exec-root", None, Value, "exec-root"),
    f("experimental", None, Bool, "experimental"),
    f("fixed-cidr", None, Value, "fixed-cidr"),
    f("fixed-cidr-v6", None, Value, "fixed-cidr-v6"),
    f("graph", Some('g'), Value, "graph"),
    f("group", Some('G'), Value, "group"),
    f("help", None, Bool, "help"),
    f("host", Some('H'), List, "hosts"),
    f("icc", None, Bool, "icc"),
    f("init", None, Bool, "init"),
    f("init-path", None, Value, "init-path"),
    f("insecure-registry", None, List, "insecure-registries"),
    f("ip", None, Value, "ip"),
    f("ip-forward", None, Bool, "ip-forward"),
    f("ip-masq", None, Bool, "ip-masq"),
    f("iptables", None, Bool, "iptables"),
    f("ipv6", None, Bool, "ipv6"),
    f("label", None, List, "labels"),
    f("live-restore", None, Bool, "live-restore"),
    f("log-driver", None, Value, "log-driver"),
    f("log-level", Some('l'), Value, "log-level"),
    f("log-opt", None, Map, "log-opts"),
    f("max-concurrent-downloads", None, Value, "max-concurrent-downloads"),
    f("max-concurrent-uploads", None, Value, "max-concurrent-uploads"),
    f("max-download-attempts", None, Value, "max-download-attempts"),
    f("metrics-addr", None, Value, "metrics-addr"),
    f("mtu", None, Value, "mtu"),
    f("network-control-plane-mtu", None, Value, "network-control-plane-mtu"),
    f("no-new-privileges", None, Bool, "no-new-privileges"),
    f("node-generic-resource", None, List, "node-generic-resources"),
    f("oom-score-adjust", None, Value, "oom-score-adjust"),
    f("pidfile", Some('p'), Value, "pidfile"),
    f("raw-logs", None, Bool, "raw-logs"),
    f("registry-mirror", None, List, "registry-mirrors"),
    f("rootless", None, Bool, "rootless"),
    f("seccomp-profile", None, Value, "seccomp-profile"),
    f("selinux-enabled", None, Bool, "selinux-enabled"),
    f("shutdown-timeout", None, Value, "shutdown-timeout"),
    f("storage-driver", Some('s'), Value, "storage-driver"),
    f("storage-opt", None, List, "storage-opts"),
    f("swarm-default-advertise-addr", None, Value, "swarm-default-advertise-addr"),
    f("tls", None, Bool, "tls"),
    f("tlscacert", None, Value, "tlscacert"),
    f("tlscert", None, Value, "tlscert"),
    f("tlskey", None, Value, "tlskey"),
    f("tlsverify", None, Bool, "tlsverify"),
    f("userland-proxy", None, Bool, "userland-proxy"),
    f("userland-proxy-path", None, Value, "userland-proxy-path"),
    f("userns-remap", None, Value, "userns-remap"),
    f("validate", None, Bool, "validate"),
    f("version", Some('v'), Bool, "version"),
];

pub fn by_long(name: &str) -> Option<&'static FlagSpec> {
    FLAGS.iter().find(|s| s.long == name)
}

pub fn by_short(c: char) -> Option<&'static FlagSpec> {
    FLAGS.iter().find(|s| s.short == Some(c))
}

/// The flag spec whose daemon.json key is `key`.
pub fn by_key(key: &str) -> Option<&'static FlagSpec> {
    FLAGS.iter().find(|s| s.key == key)
}

/// One word of the command line and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub origin: Origin,
}

/// One flag as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    /// The daemon.json key (`hosts`), or `--name` for a flag dockerd does not have.
    pub key: String,
    /// As written: `-H`, `--host`.
    pub spelled: String,
    pub kind: Kind,
    /// For switches `true`/`false`; for maps `key=value`.
    pub value: String,
    pub origin: Origin,
}

/// Why dockerd would not start with this command line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct Refusal {
    pub origin: Origin,
    pub message: String,
}

/// The parsed command line: the flags in order, and notes on what dockerd may do differently.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandLine {
    pub flags: Vec<Given>,
    pub notes: Vec<String>,
}

/// Go's `strconv.ParseBool`, which pflag uses for switches.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Parse dockerd's arguments (without the program name).
pub fn parse(words: &[Word]) -> Result<CommandLine, Refusal> {
    let mut out = CommandLine::default();
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        i += 1;
        let text = word.text.as_str();
        if text == "--" {
            if let Some(extra) = words.get(i) {
                return Err(refuse(extra, format!("dockerd takes no arguments, got `{}`", extra.text)));
            }
            break;
        }
        if let Some(long) = text.strip_prefix("--") {
            if long.starts_with('-') || long.starts_with('=') {
                return Err(refuse(word, format!("bad flag syntax `{text}`")));
            }
            let (name, attached) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            match by_long(name) {
                Some(spec) => {
                    let value = take_value(spec, attached, text, word, words, &mut i)?;
                    out.flags.push(given(spec, text_before_eq(text), value, word));
                }
                None => {
                    // An unknown flag: dockerd refuses it, but this table may lag a newer engine,
                    // so note it and read it the way pflag would read a switch or `--x=v`.
                    out.notes.push(format!(
                        "{}: `--{name}` is not a dockerd flag this scanner knows; dockerd refuses unknown flags",
                        word.origin
                    ));
                    out.flags.push(Given {
                        key: format!("--{name}"),
                        spelled: format!("--{name}"),
                        kind: if attached.is_some() { Value } else { Bool },
                        value: attached.unwrap_or_else(|| "true".to_string()),
                        origin: word.origin.clone(),
                    });
                }
            }
            continue;
        }
        if let Some(shorts) = text.strip_prefix('-').filter(|s| !s.is_empty()) {
            let chars: Vec<char> = shorts.chars().collect();
            let mut k = 0;
            while k < chars.len() {
                let c = chars[k];
                k += 1;
                let Some(spec) = by_short(c) else {
                    return Err(refuse(word, format!("unknown shorthand flag `{c}` in `{text}`")));
                };
                let rest: String = chars[k..].iter().collect();
                let attached = if let Some(v) = rest.strip_prefix('=') {
                    k = chars.len();
                    Some(v.to_string())
                } else if spec.kind != Bool && !rest.is_empty() {
                    k = chars.len();
                    Some(rest)
                } else {
                    None
                };
                let value = take_value(spec, attached, text, word, words, &mut i)?;
                out.flags.push(given(spec, format!("-{c}"), value, word));
            }
            continue;
        }
        return Err(refuse(word, format!("dockerd takes no arguments, got `{text}`")));
    }
    Ok(out)
}

fn text_before_eq(text: &str) -> String {
    text.split_once('=').map_or(text, |(n, _)| n).to_string()
}

fn given(spec: &FlagSpec, spelled: String, value: String, word: &Word) -> Given {
    Given { key: spec.key.to_string(), spelled, kind: spec.kind, value, origin: word.origin.clone() }
}

fn take_value(
    spec: &FlagSpec,
    attached: Option<String>,
    text: &str,
    word: &Word,
    words: &[Word],
    next: &mut usize,
) -> Result<String, Refusal> {
    if spec.kind == Bool {
        let Some(v) = attached else { return Ok("true".to_string()) };
        return match parse_bool(&v) {
            Some(b) => Ok(b.to_string()),
            None => Err(refuse(word, format!("invalid boolean `{v}` for `{text}`"))),
        };
    }
    if let Some(v) = attached {
        return Ok(v);
    }
    match words.get(*next) {
        Some(w) => {
            *next += 1;
            Ok(w.text.clone())
        }
        None => Err(refuse(word, format!("flag `{text}` needs an argument"))),
    }
}

fn refuse(word: &Word, message: String) -> Refusal {
    Refusal { origin: word.origin.clone(), message }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<Word> {
        line.split_whitespace().map(|t| Word { text: t.to_string(), origin: Origin::file("/u", 3) }).collect()
    }

    fn flags(line: &str) -> Vec<(String, String)> {
        parse(&words(line)).unwrap().flags.into_iter().map(|g| (g.key, g.value)).collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn long_flags_with_equals_or_the_next_word() {
        assert_eq!(
            flags("--host=tcp://0.0.0.0:2375 --host unix:///s --storage-driver overlay2"),
            pairs(&[("hosts", "tcp://0.0.0.0:2375"), ("hosts", "unix:///s"), ("storage-driver", "overlay2")])
        );
        assert_eq!(flags("--log-opt max-size=10m"), pairs(&[("log-opts", "max-size=10m")]));
        assert_eq!(flags("--tlscacert="), pairs(&[("tlscacert", "")]));
    }

    #[test]
    fn switches_take_only_an_attached_value() {
        assert_eq!(
            flags("--userland-proxy=false --experimental --debug=0 --icc=T"),
            pairs(&[
                ("userland-proxy", "false"),
                ("experimental", "true"),
                ("debug", "false"),
                ("icc", "true")
            ])
        );
        // `--userland-proxy false`: `false` is an argument, and dockerd takes none.
        let e = parse(&words("--userland-proxy false")).unwrap_err();
        assert!(e.message.contains("takes no arguments, got `false`"), "{e}");
        assert!(parse(&words("--experimental=maybe")).unwrap_err().message.contains("invalid boolean"));
    }

    #[test]
    fn short_flags_alone_joined_and_attached() {
        assert_eq!(flags("-H tcp://a:1"), pairs(&[("hosts", "tcp://a:1")]));
        assert_eq!(flags("-DH tcp://a:1"), pairs(&[("debug", "true"), ("hosts", "tcp://a:1")]));
        assert_eq!(flags("-Htcp://a:1"), pairs(&[("hosts", "tcp://a:1")]));
        assert_eq!(flags("-H=:2375"), pairs(&[("hosts", ":2375")]));
        assert_eq!(flags("-Ds aufs"), pairs(&[("debug", "true"), ("storage-driver", "aufs")]));
        assert_eq!(flags("-saufs"), pairs(&[("storage-driver", "aufs")]));
        assert!(parse(&words("-X")).unwrap_err().message.contains("unknown shorthand flag `X`"));
        assert!(parse(&words("-H")).unwrap_err().message.contains("needs an argument"));
    }

    #[test]
    fn double_dash_ends_flags_and_arguments_are_refused() {
        assert_eq!(flags("--debug --"), pairs(&[("debug", "true")]));
        assert!(parse(&words("-- -H tcp://x")).is_err());
        let e = parse(&words("daemon -H tcp://x")).unwrap_err();
        assert_eq!(e.origin, Origin::file("/u", 3));
        assert!(parse(&words("---host=x")).is_err());
    }

    #[test]
    fn unknown_long_flags_are_noted_not_fatal() {
        let line = parse(&words("--fancy-new=1 --shiny -H fd://")).unwrap();
        assert_eq!(line.notes.len(), 2);
        let keys: Vec<&str> = line.flags.iter().map(|g| g.key.as_str()).collect();
        assert_eq!(keys, ["--fancy-new", "--shiny", "hosts"]);
    }

    #[test]
    fn every_flag_has_a_unique_name_and_key() {
        for (i, a) in FLAGS.iter().enumerate() {
            for b in &FLAGS[i + 1..] {
                assert_ne!(a.long, b.long);
                assert_ne!(a.key, b.key);
                assert!(a.short.is_none() || a.short != b.short, "{a:?} {b:?}");
            }
        }
        assert_eq!(by_key("insecure-registries").unwrap().long, "insecure-registry");
    }
}
