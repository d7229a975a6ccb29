#!/usr/bin/env python3
"""Writes content/docker-ee/checks/<STIG-ID>.xml: one self-contained OVAL 5.11.3 document per node rule.

The checks are generated because 28 rules share a handful of building blocks (daemon.json keys, dockerd
flags in units and /etc/default/docker, owner/mode of files). Edit this script, re-run it, commit both.
Rule titles and SV ids come from the DISA rules JSON so they cannot drift from the official XCCDF.

usage: generate-checks.py [RULES_JSON]
"""

import json
import os
import sys
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
# The DISA rule digest is test reference data in the repository (tests/data/PROVENANCE.md).
RULES_JSON = os.path.join(HERE, "..", "..", "tests", "data", "stig", "docker_ee_2x", "docker_ee_2x_V2R2_rules.json")
NS = "io.stigrun.docker-ee"
TIMESTAMP = "2026-11-27T00:00:00"

# Where dockerd's command line can be set. The service unit, its copies and drop-ins; Debian/Ubuntu
# /etc/default/docker (DOCKER_OPTS); RHEL /etc/sysconfig/docker (OPTIONS).
ARG_FILES = [
    "/etc/systemd/system/docker.service",
    "/run/systemd/system/docker.service",
    "/usr/lib/systemd/system/docker.service",
    "/lib/systemd/system/docker.service",
    "/etc/default/docker",
    "/etc/sysconfig/docker",
]
DROPIN_DIRS = [
    "/etc/systemd/system/docker.service.d",
    "/run/systemd/system/docker.service.d",
    "/usr/lib/systemd/system/docker.service.d",
    "/lib/systemd/system/docker.service.d",
]
UNIT_DIRS = ["/etc/systemd/system", "/run/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"]
DAEMON_JSON = "/etc/docker/daemon.json"
SOCKETS = ["/var/run/docker.sock", "/run/docker.sock"]

# A flag on a line that is not a comment (# or ; in units, # in shell env files). The flag must start a
# word: after whitespace, a quote or `=` (ExecStart=, DOCKER_OPTS="), or at the start of a continuation line.
LINE = r'^[ \t]*(?:[^#;\s][^\n]*?[\s"\'=])?'
FALSE_WORDS = r"(?:false|False|FALSE|f|F|0)"

BOOL_FALSE = "false"


class Doc:
    """One oval_definitions document; ids are <stig number><two-digit sequence> per kind."""

    def __init__(self, num):
        self.num = num
        self.seq = {"tst": 0, "obj": 0, "ste": 0, "var": 0}
        self.tests, self.objects, self.states, self.variables = [], [], [], []
        self.families = set()

    def new_id(self, kind):
        self.seq[kind] += 1
        return f"oval:{NS}:{kind}:{self.num}{self.seq[kind]:02d}"

    # --- generic builders -------------------------------------------------------------------------

    def test(self, family, kind, comment, obj, state=None, check="all", existence="at_least_one_exists"):
        self.families.add(family)
        tid = self.new_id("tst")
        st = f'\n      <{family}:state state_ref="{state}"/>' if state else ""
        self.tests.append(
            f'    <{family}:{kind}_test id="{tid}" version="1" check="{check}" '
            f'check_existence="{existence}" comment="{escape(comment)}">\n'
            f'      <{family}:object object_ref="{obj}"/>{st}\n'
            f"    </{family}:{kind}_test>"
        )
        return tid

    def obj(self, family, kind, comment, body):
        self.families.add(family)
        oid = self.new_id("obj")
        self.objects.append(
            f'    <{family}:{kind}_object id="{oid}" version="1" comment="{escape(comment)}">\n'
            f"{body}\n    </{family}:{kind}_object>"
        )
        return oid

    def state(self, family, kind, comment, body):
        self.families.add(family)
        sid = self.new_id("ste")
        self.states.append(
            f'    <{family}:{kind}_state id="{sid}" version="1" comment="{escape(comment)}">\n'
            f"{body}\n    </{family}:{kind}_state>"
        )
        return sid

    def constant(self, comment, values, datatype="string"):
        vid = self.new_id("var")
        vals = "\n".join(f"      <value>{escape(v)}</value>" for v in values)
        self.variables.append(
            f'    <constant_variable id="{vid}" version="1" datatype="{datatype}" comment="{escape(comment)}">\n'
            f"{vals}\n    </constant_variable>"
        )
        return vid

    def external(self, comment, datatype="string"):
        vid = self.new_id("var")
        self.variables.append(
            f'    <external_variable id="{vid}" version="1" datatype="{datatype}" '
            f'comment="{escape(comment)}"/>'
        )
        return vid

    def local(self, comment, component, datatype="string"):
        vid = self.new_id("var")
        self.variables.append(
            f'    <local_variable id="{vid}" version="1" datatype="{datatype}" comment="{escape(comment)}">\n'
            f"      {component}\n    </local_variable>"
        )
        return vid

    # --- daemon.json (JSON is YAML) ----------------------------------------------------------------

    def json_obj(self, yamlpath):
        body = f"      <ind:filepath>{DAEMON_JSON}</ind:filepath>\n      <ind:yamlpath>{escape(yamlpath)}</ind:yamlpath>"
        return self.obj("ind", "yamlfilecontent", f"daemon.json {yamlpath}", body)

    def json_value_state(self, comment, operation, value=None, var_ref=None, datatype="string"):
        # A list path (`.hosts[:]`) yields one record with a `#` field per entry: any entry may match.
        ec = 'entity_check="at least one"'
        if var_ref:
            field = (
                f'<field name="#" datatype="{datatype}" operation="{operation}" {ec} '
                f'var_ref="{var_ref}" var_check="at least one"/>'
            )
        else:
            field = f'<field name="#" datatype="{datatype}" operation="{operation}" {ec}>{escape(value)}</field>'
        body = f'      <ind:value datatype="record">\n        {field}\n      </ind:value>'
        return self.state("ind", "yamlfilecontent", comment, body)

    def json_test(self, comment, yamlpath, operation=None, value=None, var_ref=None, datatype="string"):
        """True when daemon.json has `yamlpath` (and, with an operation, its value satisfies it).

        No daemon.json or no key: false. daemon.json that does not parse: error (oscap: object flag error).
        """
        oid = self.json_obj(yamlpath)
        sid = None
        if operation:
            sid = self.json_value_state(comment, operation, value, var_ref, datatype)
        return self.test("ind", "yamlfilecontent", comment, oid, sid)

    def json_guard(self):
        """Criteria: daemon.json is a JSON object, not merely YAML that libyaml accepts.

        The yamlfilecontent probe parses YAML, so a block-style file (`log-driver: syslog`) that dockerd refuses
        would pass. A JSON object starts with `{` and ends with `}`. When the file does not parse at all, the
        second branch (key present AND key absent: false when it parses, error when not) keeps oscap's error
        instead of turning it into a plain fail.
        """
        braced = self.test(
            "ind",
            "textfilecontent54",
            "daemon.json is one {...} object",
            self.obj(
                "ind",
                "textfilecontent54",
                "daemon.json from first to last character",
                f"      <ind:filepath>{DAEMON_JSON}</ind:filepath>\n"
                '      <ind:pattern operation="pattern match">\\A\\s*\\{[\\s\\S]*\\}\\s*\\z</ind:pattern>\n'
                '      <ind:instance datatype="int">1</ind:instance>',
            ),
        )
        probe = self.test("ind", "yamlfilecontent", "daemon.json has log-driver (parse probe)", self.json_obj(".log-driver"))
        return OR(
            "daemon.json is JSON (or its parse error shows)",
            braced,
            AND("error when daemon.json does not parse, else false", probe, NOT(probe)),
        )

    # --- dockerd flags in units, drop-ins, /etc/default/docker, /etc/sysconfig/docker -------------

    def text_obj(self, comment, pattern, files=None, dropins=True):
        files = files or ARG_FILES
        ins = "      <ind:instance datatype=\"int\" operation=\"greater than or equal\">1</ind:instance>"
        pat = f'      <ind:pattern operation="pattern match">{escape(pattern)}</ind:pattern>'
        files_var = self.constant(f"files that can carry dockerd arguments ({comment})", files)
        by_path = self.obj(
            "ind",
            "textfilecontent54",
            f"{comment}: unit files and environment files",
            f'      <ind:filepath var_ref="{files_var}" var_check="at least one"/>\n{pat}\n{ins}',
        )
        if not dropins:
            return by_path
        dirs_var = self.constant("docker.service drop-in directories", DROPIN_DIRS)
        in_dropins = self.obj(
            "ind",
            "textfilecontent54",
            f"{comment}: docker.service drop-ins",
            f'      <ind:path var_ref="{dirs_var}" var_check="at least one"/>\n'
            f'      <ind:filename operation="pattern match">\\.conf$</ind:filename>\n{pat}\n{ins}',
        )
        return self.obj(
            "ind",
            "textfilecontent54",
            f"{comment}: all places",
            "      <set>\n"
            f"        <object_reference>{by_path}</object_reference>\n"
            f"        <object_reference>{in_dropins}</object_reference>\n"
            "      </set>",
        )

    def flag_test(self, comment, flag_regex, files=None, dropins=True):
        """True when a non-comment line of a dockerd argument file carries the flag."""
        oid = self.text_obj(comment, LINE + flag_regex, files, dropins)
        return self.test("ind", "textfilecontent54", comment, oid)

    # --- owners and modes ---------------------------------------------------------------------------

    def file_obj(self, comment, paths, follow_symlinks=False, directory=False):
        """unix:file_object over fixed paths; with follow_symlinks the symlinks among them are replaced by
        their targets (unix:symlink canonical_path), as systemd and stat on the target see them."""
        pvar = self.constant(f"{comment}: candidate paths", paths)
        filepath = f'      <unix:filepath var_ref="{pvar}" var_check="at least one"/>'
        if directory:
            filepath = (
                '      <unix:behaviors recurse_direction="none"/>\n'
                f'      <unix:path var_ref="{pvar}" var_check="at least one"/>\n'
                '      <unix:filename xsi:nil="true"/>'
            )
        if not follow_symlinks:
            return self.obj("unix", "file", comment, filepath)
        is_link = self.state("unix", "file", "a symbolic link", "      <unix:type>symbolic link</unix:type>")
        direct = self.obj("unix", "file", f"{comment}: not symlinks", f"{filepath}\n      <filter action=\"exclude\">{is_link}</filter>")
        links = self.obj("unix", "symlink", f"{comment}: symlinks", f'      <unix:filepath var_ref="{pvar}" var_check="at least one"/>')
        targets = self.local(
            f"{comment}: symlink targets",
            f'<object_component object_ref="{links}" item_field="canonical_path"/>',
        )
        via_links = self.obj(
            "unix", "file", f"{comment}: symlink targets", f'      <unix:filepath var_ref="{targets}" var_check="at least one"/>'
        )
        return self.obj(
            "unix",
            "file",
            comment,
            "      <set>\n"
            f"        <object_reference>{direct}</object_reference>\n"
            f"        <object_reference>{via_links}</object_reference>\n"
            "      </set>",
        )

    def owner_state(self, comment, gid_var=None):
        # Ids come through a constant variable: the OVAL 5.11.3 schematron assertion on file_state
        # user_id/group_id is inverted (it rejects every literal >= 0), so `oscap oval validate` would
        # refuse a literal 0 although the XSD accepts it.
        zero = self.constant("uid/gid 0 (root)", ["0"], "int")
        g = gid_var or zero
        body = (
            f'      <unix:group_id datatype="int" var_ref="{g}" var_check="at least one"/>\n'
            f'      <unix:user_id datatype="int" var_ref="{zero}" var_check="at least one"/>'
        )
        return self.state("unix", "file", comment, body)

    def mode_state(self, comment, allowed):
        """`allowed`: permission bits that may be set, e.g. {"uread","uwrite","gread","oread"} for 644."""
        bits = ["suid", "sgid", "sticky", "uread", "uwrite", "uexec", "gread", "gwrite", "gexec", "oread", "owrite", "oexec"]
        body = "\n".join(
            f'      <unix:{b} datatype="boolean">{BOOL_FALSE}</unix:{b}>' for b in bits if b not in allowed
        )
        return self.state("unix", "file", comment, body)

    # --- output -------------------------------------------------------------------------------------

    def render(self, rule, description, criteria):
        ns = {
            "ind": 'xmlns:ind="http://oval.mitre.org/XMLSchema/oval-definitions-5#independent"',
            "unix": 'xmlns:unix="http://oval.mitre.org/XMLSchema/oval-definitions-5#unix"',
        }
        extra = "\n  ".join(ns[f] for f in sorted(self.families))
        def_id = f"oval:{NS}:def:{self.num}"
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            "<!-- Generated by content/docker-ee/generate-checks.py; edit the generator, not this file. -->",
            '<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5"',
            '  xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5"',
            '  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
            f"  {extra}>",
            "  <generator>",
            "    <oval:product_name>stigrun docker-ee content</oval:product_name>",
            "    <oval:schema_version>5.11.3</oval:schema_version>",
            f"    <oval:timestamp>{TIMESTAMP}</oval:timestamp>",
            "  </generator>",
            "  <definitions>",
            f'    <definition id="{def_id}" version="1" class="compliance">',
            "      <metadata>",
            f"        <title>{escape(rule['title'])}</title>",
            '        <affected family="unix">',
            "          <platform>Docker Enterprise 2.x Linux/UNIX</platform>",
            "        </affected>",
            f'        <reference source="DISA-STIG" ref_id="{rule["rule_id"]}"/>',
            f'        <reference source="DISA-STIG-ID" ref_id="{rule["stig_id"]}"/>',
            f'        <reference source="DISA-VULN" ref_id="{rule["vuln_id"]}"/>',
            f"        <description>{escape(description)}</description>",
            "      </metadata>",
            render_criteria(criteria, 6),
            "    </definition>",
            "  </definitions>",
            "  <tests>",
            *self.tests,
            "  </tests>",
            "  <objects>",
            *self.objects,
            "  </objects>",
        ]
        if self.states:
            parts += ["  <states>", *self.states, "  </states>"]
        if self.variables:
            parts += ["  <variables>", *self.variables, "  </variables>"]
        parts.append("</oval_definitions>")
        return "\n".join(parts) + "\n"


# Criteria trees: ("AND"|"OR", [children], comment) / ("NOT", child) / test id string.
def AND(comment, *kids):
    return ("AND", list(kids), comment)


def OR(comment, *kids):
    return ("OR", list(kids), comment)


def NOT(kid):
    return ("NOT", kid)


def render_criteria(node, indent, negate=False):
    pad = " " * indent
    neg = ' negate="true"' if negate else ""
    if isinstance(node, str):
        return f'{pad}<criterion test_ref="{node}"{neg}/>'
    if node[0] == "NOT":
        return render_criteria(node[1], indent, not negate)
    op, kids, comment = node
    inner = "\n".join(render_criteria(k, indent + 2) for k in kids)
    return f'{pad}<criteria operator="{op}" comment="{escape(comment)}"{neg}>\n{inner}\n{pad}</criteria>'


def single(tid):
    return AND("the one test", tid)


# ---------------------------------------------------------------------------------------------------
# One function per node rule: returns (description, criteria). The description says what is checked.

PERM_644 = {"uread", "uwrite", "gread", "oread"}
PERM_755 = {"uread", "uwrite", "uexec", "gread", "gexec", "oread", "oexec"}
PERM_444 = {"uread", "gread", "oread"}
PERM_400 = {"uread"}
PERM_660 = {"uread", "uwrite", "gread", "gwrite"}


def tcp_binding(d):
    json_tcp = d.json_test("daemon.json hosts has a tcp:// address", ".hosts[:]", "pattern match", r"^(?i)tcp://")
    flag_tcp = d.flag_test("dockerd -H/--host tcp://", r"(?:-H|--host)[ \t]*=?[ \t]*[\"']?(?i:tcp)://")
    return (
        "Pass when no dockerd listening address is TCP: neither daemon.json `hosts` nor a -H/--host argument "
        "in docker.service (incl. drop-ins), /etc/default/docker or /etc/sysconfig/docker names tcp://.",
        AND("no tcp:// host anywhere", NOT(json_tcp), NOT(flag_tcp)),
    )


def fips(d):
    kernel = d.test(
        "ind",
        "textfilecontent54",
        "kernel FIPS mode is on",
        d.obj(
            "ind",
            "textfilecontent54",
            "/proc/sys/crypto/fips_enabled is 1",
            "      <ind:filepath>/proc/sys/crypto/fips_enabled</ind:filepath>\n"
            "      <ind:pattern operation=\"pattern match\">^1$</ind:pattern>\n"
            "      <ind:instance datatype=\"int\">1</ind:instance>",
        ),
    )
    env = d.flag_test("DOCKER_FIPS=1 in the daemon environment", r"DOCKER_FIPS=[\"']?1(?![0-9])")
    return (
        "Pass when Docker Engine - Enterprise runs in FIPS mode: the host kernel is in FIPS mode "
        "(/proc/sys/crypto/fips_enabled = 1) or the daemon environment sets DOCKER_FIPS=1 (docker.service "
        "Environment=, a drop-in, /etc/default/docker or /etc/sysconfig/docker).",
        OR("kernel or engine FIPS switch", kernel, env),
    )


AUDIT_WATCHES = [
    ("docker client/daemon binary", r"/usr/bin/docker(?:d)?"),
    ("/var/lib/docker", r"/var/lib/docker"),
    ("/etc/docker", r"/etc/docker"),
    ("/etc/docker/daemon.json", r"/etc/docker/daemon\.json"),
    ("containerd binary", r"/usr/bin/(?:docker-)?containerd"),
    ("runc binary", r"/usr/(?:s?bin)/(?:docker-)?runc"),
    ("docker.service unit", r"(?:/etc|/usr/lib|/lib)/systemd/system/docker\.service"),
    ("docker.socket unit", r"(?:/etc|/usr/lib|/lib)/systemd/system/docker\.socket"),
]


def audit_rules(d):
    def watch_test(label, path_re):
        # `-w PATH` or a syscall rule `-F path=PATH` / `-F dir=PATH`.
        pattern = (
            rf"^[ \t]*(?:-w[ \t]+{path_re}/?|-a[^\n]*-F[ \t]*(?:path|dir)={path_re}/?)(?:[ \t]|$)"
        )
        files = d.constant("persistent audit rules", ["/etc/audit/audit.rules"])
        ins = '      <ind:instance datatype="int" operation="greater than or equal">1</ind:instance>'
        pat = f'      <ind:pattern operation="pattern match">{escape(pattern)}</ind:pattern>'
        main = d.obj(
            "ind", "textfilecontent54", f"audit.rules watch on {label}",
            f'      <ind:filepath var_ref="{files}" var_check="at least one"/>\n{pat}\n{ins}',
        )
        rules_d = d.obj(
            "ind", "textfilecontent54", f"rules.d watch on {label}",
            "      <ind:path>/etc/audit/rules.d</ind:path>\n"
            "      <ind:filename operation=\"pattern match\">\\.rules$</ind:filename>\n" + pat + "\n" + ins,
        )
        both = d.obj(
            "ind", "textfilecontent54", f"audit watch on {label}",
            f"      <set>\n        <object_reference>{main}</object_reference>\n"
            f"        <object_reference>{rules_d}</object_reference>\n      </set>",
        )
        return d.test("ind", "textfilecontent54", f"an audit rule watches {label}", both)

    kids = [watch_test(label, rx) for label, rx in AUDIT_WATCHES]
    default_exists = d.test(
        "unix", "file", "/etc/default/docker exists", d.file_obj("/etc/default/docker", ["/etc/default/docker"])
    )
    kids.append(
        OR("/etc/default/docker is watched when it exists", NOT(default_exists), watch_test("/etc/default/docker", r"/etc/default/docker"))
    )
    return (
        "Pass when the persistent audit rules (/etc/audit/audit.rules, /etc/audit/rules.d/*.rules) watch the "
        "Docker binaries (docker/dockerd, containerd, runc), /var/lib/docker, /etc/docker, daemon.json, the "
        "docker.service and docker.socket units, and /etc/default/docker when that file exists.",
        AND("every Docker component is audited", *kids),
    )


def log_size(d):
    size_var = d.external("SSP: log-opts max-size (var_docker_log_max_size)")
    file_var = d.external("SSP: log-opts max-file (var_docker_log_max_file)")
    size = d.json_test("daemon.json log-opts max-size is the SSP value", ".log-opts.max-size", "equals", var_ref=size_var)
    count = d.json_test("daemon.json log-opts max-file is the SSP value", ".log-opts.max-file", "equals", var_ref=file_var)
    return (
        "Pass when daemon.json `log-opts` sets `max-size` and `max-file` to the values the SSP defines "
        "(external variables). No daemon.json or a missing key fails; a daemon.json that does not parse is an error.",
        AND("both log rotation options match the SSP", d.json_guard(), size, count),
    )


def insecure_registry(d):
    json_any = d.json_test("daemon.json insecure-registries has an entry", ".insecure-registries[:]")
    flag = d.flag_test("dockerd --insecure-registry", r"--insecure-registry(?:[= \t\"']|$)")
    return (
        "Pass when no insecure registry is configured: daemon.json `insecure-registries` is absent or empty and "
        "no --insecure-registry argument is set in docker.service (incl. drop-ins), /etc/default/docker or "
        "/etc/sysconfig/docker.",
        AND("no insecure registry", NOT(json_any), NOT(flag)),
    )


def storage_driver(d):
    json_aufs = d.json_test("daemon.json storage-driver is aufs", ".storage-driver", "equals", "aufs")
    flag = d.flag_test("dockerd --storage-driver/-s aufs", r"(?:--storage-driver|-s)(?:[ \t]*=[ \t]*|[ \t]+)[\"']?aufs(?![\w-])")
    return (
        "Pass when aufs is not configured as the storage driver, neither in daemon.json `storage-driver` nor "
        "by --storage-driver/-s in docker.service (incl. drop-ins), /etc/default/docker or /etc/sysconfig/docker.",
        AND("aufs not configured", NOT(json_aufs), NOT(flag)),
    )


def userland_proxy(d):
    json_false = d.json_test("daemon.json userland-proxy is false", ".userland-proxy", "equals", "false", datatype="boolean")
    json_true = d.json_test("daemon.json userland-proxy is true", ".userland-proxy", "equals", "true", datatype="boolean")
    flag_false = d.flag_test("dockerd --userland-proxy=false", rf"--userland-proxy={FALSE_WORDS}(?![\w-])")
    flag_on = d.flag_test(
        "dockerd --userland-proxy (enabled)", rf"--userland-proxy(?![\w-])(?!={FALSE_WORDS}(?![\w-]))"
    )
    return (
        "Pass when the userland proxy is switched off (the default is on): daemon.json `userland-proxy` is false "
        "or --userland-proxy=false is set, and nowhere is it switched on.",
        AND(
            "switched off, never on",
            OR("switched off somewhere", AND("by daemon.json", d.json_guard(), json_false), flag_false),
            NOT(json_true),
            NOT(flag_on),
        ),
    )


def experimental(d):
    json_true = d.json_test("daemon.json experimental is true", ".experimental", "equals", "true", datatype="boolean")
    flag = d.flag_test("dockerd --experimental (enabled)", rf"--experimental(?![\w-])(?!={FALSE_WORDS}(?![\w-]))")
    return (
        "Pass when experimental features are not switched on (the default is off): daemon.json `experimental` "
        "is not true and no --experimental argument enables them.",
        AND("experimental off", NOT(json_true), NOT(flag)),
    )


# Driver, the log-opt naming where logs go (Docker's logging-driver documentation), and what its value must
# look like. syslog without syslog-address (or with unix:// / unixgram://) writes to the local syslog, which
# is not remote; a network scheme is required. splunk-url is an HTTP(S) event collector URL.
REMOTE_DRIVERS = [
    ("syslog", "syslog-address", r"^(?:tcp|udp|tcp\+tls)://\S"),
    ("awslogs", "awslogs-group", r"\S"),
    ("splunk", "splunk-url", r"^https?://\S"),
    ("gcplogs", "gcp-project", r"\S"),
    ("logentries", "logentries-token", r"\S"),
]


def plugin_branch(d):
    # One regular expression, not a list: an XCCDF Value exports one string to its OVAL variable. The default
    # "(?!)" matches nothing (no plugin approved); OVAL variables cannot be empty.
    plugins = d.external("SSP: regex of allowed log driver plugins (var_docker_log_driver_plugins)")
    return d.json_test(
        "daemon.json log-driver is an allowed plugin", ".log-driver", "pattern match", var_ref=plugins
    )


def log_driver_set(d):
    builtin = d.json_test(
        "daemon.json log-driver is a remote driver",
        ".log-driver",
        "pattern match",
        "^(?:" + "|".join(n for n, _, _ in REMOTE_DRIVERS) + ")$",
    )
    return (
        "Pass when daemon.json `log-driver` is syslog, awslogs, splunk, gcplogs, logentries or an allowed "
        "plugin (external variable). json-file, local, journald, none, no key or no daemon.json fail; a "
        "daemon.json that does not parse is an error.",
        AND("daemon.json is JSON with an approved log driver", d.json_guard(), OR("an approved log driver", builtin, plugin_branch(d))),
    )


def remote_logging(d):
    branches = []
    for driver, option, dest_re in REMOTE_DRIVERS:
        is_driver = d.json_test(f"daemon.json log-driver is {driver}", ".log-driver", "equals", driver)
        dest = d.json_test(
            f"daemon.json log-opts {option} names a destination", f".log-opts.{option}", "pattern match", dest_re
        )
        branches.append(AND(f"{driver} with its destination", is_driver, dest))
    branches.append(plugin_branch(d))
    return (
        "Pass when daemon.json `log-driver` sends logs off the node: syslog with log-opts `syslog-address` "
        "(tcp://, udp:// or tcp+tls://), awslogs with `awslogs-group`, splunk with `splunk-url` (http(s)://), "
        "gcplogs with `gcp-project`, logentries with `logentries-token` (non-empty), or an allowed plugin "
        "(external variable, default none). "
        "json-file, local, journald, none, no key or no daemon.json fail; a daemon.json that does not parse is "
        "an error.",
        AND("daemon.json is JSON with a remote log driver", d.json_guard(), OR("a remote log driver with its destination", *branches)),
    )


def swarm_listener(d):
    proc = d.test(
        "unix", "file", "/proc/net/tcp is readable (a live host)", d.file_obj("/proc/net/tcp", ["/proc/net/tcp"])
    )
    # 2377 = 0x0949; state 0A = LISTEN; local address all zeros = every interface (IPv4 and IPv6).
    wildcard = d.test(
        "ind",
        "textfilecontent54",
        "a listener on *:2377",
        d.obj(
            "ind",
            "textfilecontent54",
            "LISTEN on 0.0.0.0:2377 or [::]:2377",
            f'      <ind:filepath var_ref="{d.constant("kernel TCP socket tables", ["/proc/net/tcp", "/proc/net/tcp6"])}" var_check="at least one"/>\n'
            "      <ind:pattern operation=\"pattern match\">^[ \\t]*\\d+:[ \\t]+0+:0949[ \\t]+[0-9A-Fa-f]+:[0-9A-Fa-f]+[ \\t]+0A[ \\t]</ind:pattern>\n"
            '      <ind:instance datatype="int" operation="greater than or equal">1</ind:instance>',
        ),
    )
    return (
        "Pass when the kernel socket tables (/proc/net/tcp, /proc/net/tcp6) show no Swarm listener on port 2377 "
        "bound to the wildcard address. Needs a live host: without /proc/net/tcp the rule fails.",
        AND("no wildcard swarm listener", proc, NOT(wildcard)),
    )


def unit_paths(name):
    return [f"{d}/{name}" for d in UNIT_DIRS]


def owner_rule(what, paths, existence, follow=False, directory=False, gid_var_of=None):
    def build(d):
        oid = d.file_obj(what, paths, follow_symlinks=follow, directory=directory)
        if gid_var_of:
            gid_var = docker_gid(d)
            sid = d.owner_state(f"{what} owned by root, group docker", gid_var=gid_var)
            owner = "root:docker"
        else:
            sid = d.owner_state(f"{what} owned by root:root")
            owner = "root:root"
        tid = d.test("unix", "file", f"{what} is {owner}", oid, sid, existence=existence)
        return (f"Pass when {what} is owned by {owner}{exist_note(existence)}", single(tid))

    return build


def mode_rule(what, paths, allowed, label, existence, follow=False, directory=False):
    def build(d):
        oid = d.file_obj(what, paths, follow_symlinks=follow, directory=directory)
        sid = d.mode_state(f"{what} mode {label}", allowed)
        tid = d.test("unix", "file", f"{what} mode is {label}", oid, sid, existence=existence)
        return (f"Pass when {what} has mode {label}{exist_note(existence)}", single(tid))

    return build


def exist_note(existence):
    if existence == "any_exist":
        return "; when the file does not exist the rule passes (DISA: not a finding)."
    return "; a missing file fails."


def docker_gid(d):
    group = d.obj(
        "ind",
        "textfilecontent54",
        "the docker group in /etc/group",
        "      <ind:filepath>/etc/group</ind:filepath>\n"
        "      <ind:pattern operation=\"pattern match\">^docker:[^:\\n]*:(\\d+):</ind:pattern>\n"
        '      <ind:instance datatype="int">1</ind:instance>',
    )
    return d.local(
        "gid of the docker group", f'<object_component object_ref="{group}" item_field="subexpression"/>', "int"
    )


def registry_certs(kind):
    """Files under /etc/docker/certs.d/<registry>/ (ownership or mode)."""

    def build(d):
        d.families.add("unix")
        is_dir = d.state("unix", "file", "a directory", "      <unix:type>directory</unix:type>")
        oid = d.obj(
            "unix",
            "file",
            "files in /etc/docker/certs.d/<registry>/",
            '      <unix:path operation="pattern match">^/etc/docker/certs\\.d/[^/]+$</unix:path>\n'
            '      <unix:filename operation="pattern match">^.+$</unix:filename>\n'
            f'      <filter action="exclude">{is_dir}</filter>',
        )
        if kind == "owner":
            sid = d.owner_state("registry certificate owned by root:root")
            tid = d.test("unix", "file", "registry certificates are root:root", oid, sid, existence="any_exist")
            return ("Pass when every file in /etc/docker/certs.d/<registry>/ is owned by root:root; no such "
                    "files passes.", single(tid))
        sid = d.mode_state("registry certificate mode 444 or stricter", PERM_444)
        tid = d.test("unix", "file", "registry certificates are 444 or stricter", oid, sid, existence="any_exist")
        return ("Pass when every file in /etc/docker/certs.d/<registry>/ has mode 444 or stricter; no such files "
                "passes.", single(tid))

    return build


def tls_file(key, flag, kind, allowed=None, label=None):
    """The TLS file daemon.json `key` or dockerd `flag` names: ownership or mode."""

    def build(d):
        from_json = d.json_obj(f".{key}")
        json_paths = d.local(
            f"{key} path from daemon.json",
            f'<object_component object_ref="{from_json}" item_field="value" record_field="#"/>',
        )
        from_flags = d.text_obj(f"dockerd --{flag} path", LINE + rf"--{flag}(?:[ \t]*=[ \t]*|[ \t]+)[\"']?([^\s\"']+)")
        flag_paths = d.local(
            f"{flag} path from dockerd arguments",
            f'<object_component object_ref="{from_flags}" item_field="subexpression"/>',
        )
        a = d.obj("unix", "file", f"{key} named in daemon.json", f'      <unix:filepath var_ref="{json_paths}" var_check="at least one"/>')
        b = d.obj("unix", "file", f"--{flag} file", f'      <unix:filepath var_ref="{flag_paths}" var_check="at least one"/>')
        both = d.obj(
            "unix",
            "file",
            f"the {key} file",
            f"      <set>\n        <object_reference>{a}</object_reference>\n"
            f"        <object_reference>{b}</object_reference>\n      </set>",
        )
        if kind == "owner":
            sid = d.owner_state(f"{key} file owned by root:root")
            what = "is owned by root:root"
        else:
            sid = d.mode_state(f"{key} file mode {label}", allowed)
            what = f"has mode {label}"
        tid = d.test("unix", "file", f"the {key} file {what}", both, sid, existence="any_exist")
        # oscap turns an object that failed to collect into an empty variable, which would pass vacuously.
        # "key present OR key absent" is true for a missing or parsable daemon.json and error when it does not
        # parse (oscap rates check_existence any_exist on an errored object true, so that cannot be used).
        has_key = d.test("ind", "yamlfilecontent", f"daemon.json has {key}", d.json_obj(f".{key}"))
        parses = OR("daemon.json is absent or parses", has_key, NOT(has_key))
        return (
            f"Pass when the file named by daemon.json `{key}` or dockerd --{flag} (docker.service incl. drop-ins, "
            f"/etc/default/docker, /etc/sysconfig/docker) {what}. No TLS file configured passes; a daemon.json "
            "that does not parse is an error.",
            AND("daemon.json readable and the TLS file right", parses, tid),
        )

    return build


RULES = {
    "DKER-EE-001050": tcp_binding,
    "DKER-EE-001070": fips,
    "DKER-EE-001090": audit_rules,
    "DKER-EE-001370": log_size,
    "DKER-EE-001800": insecure_registry,
    "DKER-EE-001810": storage_driver,
    "DKER-EE-001830": userland_proxy,
    "DKER-EE-001840": experimental,
    "DKER-EE-003230": log_driver_set,
    "DKER-EE-003310": log_size,
    "DKER-EE-003320": remote_logging,
    "DKER-EE-006270": swarm_listener,
    "DKER-EE-005170": owner_rule("docker.service", unit_paths("docker.service"), "any_exist", follow=True),
    "DKER-EE-005180": mode_rule("docker.service", unit_paths("docker.service"), PERM_644, "644 or stricter", "any_exist", follow=True),
    "DKER-EE-005190": owner_rule("docker.socket", unit_paths("docker.socket"), "any_exist", follow=True),
    "DKER-EE-005200": mode_rule("docker.socket", unit_paths("docker.socket"), PERM_644, "644 or stricter", "any_exist", follow=True),
    "DKER-EE-005210": owner_rule("/etc/docker", ["/etc/docker"], "at_least_one_exists", directory=True),
    "DKER-EE-005220": mode_rule("/etc/docker", ["/etc/docker"], PERM_755, "755 or stricter", "at_least_one_exists", directory=True),
    "DKER-EE-005230": registry_certs("owner"),
    "DKER-EE-005240": registry_certs("mode"),
    "DKER-EE-005250": tls_file("tlscacert", "tlscacert", "owner"),
    "DKER-EE-005260": tls_file("tlscacert", "tlscacert", "mode", PERM_444, "444 or stricter"),
    "DKER-EE-005270": tls_file("tlscert", "tlscert", "owner"),
    "DKER-EE-005280": tls_file("tlscert", "tlscert", "mode", PERM_444, "444 or stricter"),
    "DKER-EE-005290": tls_file("tlskey", "tlskey", "owner"),
    "DKER-EE-005300": tls_file("tlskey", "tlskey", "mode", PERM_400, "400 or stricter"),
    "DKER-EE-005310": owner_rule("the docker socket", SOCKETS, "at_least_one_exists", gid_var_of="docker"),
    "DKER-EE-005320": mode_rule("the docker socket", SOCKETS, PERM_660, "660 or stricter", "at_least_one_exists"),
    "DKER-EE-005330": owner_rule("/etc/docker/daemon.json", [DAEMON_JSON], "at_least_one_exists"),
    "DKER-EE-005340": mode_rule("/etc/docker/daemon.json", [DAEMON_JSON], PERM_644, "644 or stricter", "at_least_one_exists"),
    "DKER-EE-005350": owner_rule("/etc/default/docker", ["/etc/default/docker"], "any_exist"),
    "DKER-EE-005360": mode_rule("/etc/default/docker", ["/etc/default/docker"], PERM_644, "644 or stricter", "any_exist"),
}


def main():
    rules_path = sys.argv[1] if len(sys.argv) > 1 else RULES_JSON
    with open(rules_path, encoding="utf-8") as f:
        rules = {r["stig_id"]: r for r in json.load(f)["rules"]}
    out_dir = os.path.join(HERE, "checks")
    os.makedirs(out_dir, exist_ok=True)
    for stig_id, build in sorted(RULES.items()):
        rule = rules[stig_id]
        doc = Doc(int(stig_id.rsplit("-", 1)[1]))
        description, criteria = build(doc)
        with open(os.path.join(out_dir, f"{stig_id}.xml"), "w", encoding="utf-8") as f:
            f.write(doc.render(rule, description, criteria))
    print(f"wrote {len(RULES)} checks to {out_dir}")


if __name__ == "__main__":
    main()
