#!/usr/bin/env python3
"""Writes the docker-ee node checks: one self-contained OVAL 5.11.3 document per rule, in two kinds.

- checks/<STIG-ID>.xml: standard OVAL (independent, unix), which oscap and any SCAP tool run. It reads
  the files as text where that is all standard OVAL can do (dockerd flags by regular expression,
  daemon.json through yamlfilecontent, every copy of a unit file).
- extension-checks/<STIG-ID>.xml: the same rule through stigrun's Docker extension
  (http://stigrun.io/XMLSchema/oval-definitions-5#docker, schema in xsd/): dockerd's effective
  configuration as dockerd and systemd read it (docker:daemonoption, docker:daemonenvironment) and the
  unit file systemd loads (linux:systemdunitproperty, which stigrun computes from the unit files).
  stigrun runs these instead of the standard check; other tools skip them (their XCCDF check system is
  stigrun's) and run the standard one.

The checks share a handful of building blocks, so edit this script, re-run it, commit both. Rule titles
and SV ids come from the DISA rules JSON so they cannot drift from the official XCCDF.

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
# The extension checks get ids of their own, so evidence never confuses the two documents.
NS_EXT = "io.stigrun.dockerd"
TIMESTAMP = "2026-11-27T00:00:00"

# systemd's unit search path (systemd.unit(5)), highest precedence first.
UNIT_DIRS = [
    "/etc/systemd/system.control",
    "/run/systemd/system.control",
    "/run/systemd/transient",
    "/run/systemd/generator.early",
    "/etc/systemd/system",
    "/etc/systemd/system.attached",
    "/run/systemd/system",
    "/run/systemd/system.attached",
    "/run/systemd/generator",
    "/usr/local/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
    "/run/systemd/generator.late",
]
DEFAULT_FILE = "/etc/default/docker"
SYSCONFIG_FILE = "/etc/sysconfig/docker"
# Environment files that can carry dockerd arguments when a unit reads them: Debian/Ubuntu
# /etc/default/docker (DOCKER_OPTS), RHEL /etc/sysconfig/docker (OPTIONS).
ENV_FILES = [DEFAULT_FILE, SYSCONFIG_FILE]
DAEMON_JSON = "/etc/docker/daemon.json"
SOCKETS = ["/var/run/docker.sock", "/run/docker.sock"]
AUDIT_RULES = "/etc/audit/audit.rules"

# A flag on a line that is not a comment (# or ; in units, # in shell env files). The flag must start a
# word: after whitespace, a quote or `=` (ExecStart=, DOCKER_OPTS="), or at the start of a continuation line.
LINE = r'^[ \t]*(?:[^#;\s][^\n]*?[\s"\'=])?'
FALSE_WORDS = r"(?:false|False|FALSE|f|F|0)"
# Schemes of dockerd listeners that are not TCP; anything else (no scheme at all included) is TCP.
NOT_TCP = r"(?:unix|fd|ssh|npipe)://"

BOOL_FALSE = "false"

FAMILY_NS = {
    "ind": "http://oval.mitre.org/XMLSchema/oval-definitions-5#independent",
    "unix": "http://oval.mitre.org/XMLSchema/oval-definitions-5#unix",
    "linux": "http://oval.mitre.org/XMLSchema/oval-definitions-5#linux",
    "docker": "http://stigrun.io/XMLSchema/oval-definitions-5#docker",
}


def unit_paths(name):
    return [f"{d}/{name}" for d in UNIT_DIRS]


def dropin_dirs(name):
    return [f"{d}/{name}.d" for d in UNIT_DIRS]


class Doc:
    """One oval_definitions document; ids are <stig number><two-digit sequence> per kind."""

    def __init__(self, num, ns=NS):
        self.num = num
        self.ns = ns
        self.seq = {"tst": 0, "obj": 0, "ste": 0, "var": 0}
        self.tests, self.objects, self.states, self.variables = [], [], [], []
        self.families = set()
        self.cache = {}

    def new_id(self, kind):
        self.seq[kind] += 1
        return f"oval:{self.ns}:{kind}:{self.num}{self.seq[kind]:02d}"

    def once(self, key, make):
        """Build a shared test or object once per document."""
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]

    # --- generic builders -------------------------------------------------------------------------

    def test(self, family, kind, comment, obj, state=None, check="all", existence="at_least_one_exists",
             states=None, state_operator=None):
        self.families.add(family)
        tid = self.new_id("tst")
        refs = states or ([state] if state else [])
        st = "".join(f'\n      <{family}:state state_ref="{s}"/>' for s in refs)
        op = f' state_operator="{state_operator}"' if state_operator else ""
        self.tests.append(
            f'    <{family}:{kind}_test id="{tid}" version="1" check="{check}" '
            f'check_existence="{existence}"{op} comment="{escape(comment)}">\n'
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

    def union(self, family, kind, comment, a, b):
        return self.obj(
            family,
            kind,
            comment,
            f"      <set>\n        <object_reference>{a}</object_reference>\n"
            f"        <object_reference>{b}</object_reference>\n      </set>",
        )

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

    # --- text in unit files, drop-ins and environment files ----------------------------------------

    def text_obj(self, comment, pattern, files, dirs=None):
        """textfilecontent54 over fixed files and, optionally, the `*.conf` files of drop-in directories."""
        ins = "      <ind:instance datatype=\"int\" operation=\"greater than or equal\">1</ind:instance>"
        pat = f'      <ind:pattern operation="pattern match">{escape(pattern)}</ind:pattern>'
        files_var = self.constant(f"files to read ({comment})", files)
        by_path = self.obj(
            "ind",
            "textfilecontent54",
            f"{comment}: files",
            f'      <ind:filepath var_ref="{files_var}" var_check="at least one"/>\n{pat}\n{ins}',
        )
        if not dirs:
            return by_path
        dirs_var = self.constant(f"drop-in directories ({comment})", dirs)
        in_dropins = self.obj(
            "ind",
            "textfilecontent54",
            f"{comment}: drop-ins",
            f'      <ind:path var_ref="{dirs_var}" var_check="at least one"/>\n'
            f'      <ind:filename operation="pattern match">\\.conf$</ind:filename>\n{pat}\n{ins}',
        )
        return self.union("ind", "textfilecontent54", f"{comment}: all places", by_path, in_dropins)

    def unit_text_test(self, comment, pattern, unit="docker.service"):
        """True when a non-comment line of any copy of `unit` or of its drop-ins matches."""
        oid = self.text_obj(comment, pattern, unit_paths(unit), dropin_dirs(unit))
        return self.test("ind", "textfilecontent54", comment, oid)

    def env_file_read(self, path):
        """True when a docker.service copy or drop-in reads `path` through EnvironmentFile=."""
        return self.once(
            ("reads", path),
            lambda: self.unit_text_test(
                f"docker.service reads {path}",
                rf"^[ \t]*EnvironmentFile[ \t]*=[ \t]*-?[ \t]*{escape_re(path)}[ \t]*$",
            ),
        )

    def flag_test(self, comment, flag_regex):
        """Criteria: a non-comment line of docker.service (any copy, any drop-in) carries the flag, or an
        environment file carries it and a unit reads that file (EnvironmentFile=)."""
        in_units = self.unit_text_test(f"{comment} in docker.service", LINE + flag_regex)
        branches = [in_units]
        for path in ENV_FILES:
            in_file = self.test(
                "ind", "textfilecontent54", f"{comment} in {path}", self.text_obj(f"{comment} in {path}", LINE + flag_regex, [path])
            )
            branches.append(AND(f"{path} is read and carries it", self.env_file_read(path), in_file))
        return OR(comment, *branches)

    # --- owners and modes: files as dockerd sees them ----------------------------------------------

    def files_seen(self, comment, filepath=None, paths=None, var=None, directory=False):
        """(checked, links): unix:file objects for the files `paths` (or variable `var`) resolve to, and
        for the symlinks among them (evidence only). A symlink is replaced by its target, as dockerd and
        systemd read the target; a link to /dev/null (a mask) is no file."""
        pvar = var or self.constant(f"{comment}: paths", paths)
        if directory:
            where = lambda v: (f'      <unix:behaviors recurse_direction="none"/>\n'
                               f'      <unix:path var_ref="{v}" var_check="at least one"/>\n'
                               '      <unix:filename xsi:nil="true"/>')
        else:
            where = lambda v: f'      <unix:filepath var_ref="{v}" var_check="at least one"/>'
        is_link = self.once("is_link", lambda: self.state("unix", "file", "a symbolic link", "      <unix:type>symbolic link</unix:type>"))
        direct = self.obj("unix", "file", f"{comment}: not symlinks", f'{where(pvar)}\n      <filter action="exclude">{is_link}</filter>')
        masked = self.once(
            "to_dev_null",
            lambda: self.state("unix", "symlink", "a link to /dev/null", "      <unix:canonical_path>/dev/null</unix:canonical_path>"),
        )
        links = self.obj(
            "unix", "symlink", f"{comment}: symlinks",
            f'      <unix:filepath var_ref="{pvar}" var_check="at least one"/>\n      <filter action="exclude">{masked}</filter>',
        )
        targets = self.local(f"{comment}: symlink targets", f'<object_component object_ref="{links}" item_field="canonical_path"/>')
        via = self.obj("unix", "file", f"{comment}: symlink targets", where(targets))
        checked = self.union("unix", "file", comment, direct, via)
        link_items = self.obj("unix", "file", f"{comment}: the symlinks themselves", f'{where(pvar)}\n      <filter action="include">{is_link}</filter>')
        return checked, link_items

    def seen_test(self, comment, checked, links, state, existence):
        """Criteria: every file (target) satisfies `state`; the links are reported, never judged."""
        ok = self.test("unix", "file", comment, checked, state, existence=existence)
        shown = self.test("unix", "file", f"{comment}: symlinks shown as evidence", links, existence="any_exist")
        return AND(comment, ok, shown)

    def owner_state(self, comment, gid_var=None):
        # Ids come through a constant variable: the OVAL 5.11.3 schematron assertion on file_state
        # user_id/group_id is inverted (it rejects every literal >= 0), so `oscap oval validate` would
        # refuse a literal 0 although the XSD accepts it.
        zero = self.once("zero", lambda: self.constant("uid/gid 0 (root)", ["0"], "int"))
        g = gid_var or zero
        body = (
            f'      <unix:group_id datatype="int" var_ref="{g}" var_check="at least one"/>\n'
            f'      <unix:user_id datatype="int" var_ref="{zero}" var_check="at least one"/>'
        )
        return self.state("unix", "file", comment, body)

    def mode_state(self, comment, allowed, kind=None):
        """`allowed`: permission bits that may be set, e.g. {"uread","uwrite","gread","oread"} for 644."""
        bits = ["suid", "sgid", "sticky", "uread", "uwrite", "uexec", "gread", "gwrite", "gexec", "oread", "owrite", "oexec"]
        lines = [f"      <unix:type>{kind}</unix:type>"] if kind else []
        lines += [f'      <unix:{b} datatype="boolean">{BOOL_FALSE}</unix:{b}>' for b in bits if b not in allowed]
        return self.state("unix", "file", comment, "\n".join(lines))

    # --- the extension: dockerd's effective configuration ------------------------------------------

    def option_obj(self, name):
        return self.once(
            ("option", name),
            lambda: self.obj("docker", "daemonoption", f"dockerd's effective `{name}`", f"      <docker:name>{escape(name)}</docker:name>"),
        )

    def option_state(self, comment, operation, value=None, var_ref=None):
        if var_ref:
            body = f'      <docker:value operation="{operation}" var_ref="{var_ref}" var_check="at least one"/>'
        else:
            body = f'      <docker:value operation="{operation}">{escape(value)}</docker:value>'
        return self.state("docker", "daemonoption", comment, body)

    def option_test(self, comment, name, operation=None, value=None, var_ref=None, check="all", existence="at_least_one_exists"):
        sid = self.option_state(comment, operation, value, var_ref) if operation else None
        return self.test("docker", "daemonoption", comment, self.option_obj(name), sid, check=check, existence=existence)

    def option_paths(self, name):
        """A variable with the values of setting `name` (paths of files dockerd reads)."""
        return self.local(f"dockerd's `{name}`", f'<object_component object_ref="{self.option_obj(name)}" item_field="value"/>')

    def fragment(self, unit):
        """(object, exists test) of the unit file systemd loads for `unit` (linux:systemdunitproperty
        FragmentPath; empty for a masked unit, no item when there is no unit)."""

        def make():
            real = self.state("linux", "systemdunitproperty", "a file path", '      <linux:value operation="pattern match">^/</linux:value>')
            oid = self.obj(
                "linux", "systemdunitproperty", f"the unit file systemd loads for {unit}",
                f"      <linux:unit>{unit}</linux:unit>\n      <linux:property>FragmentPath</linux:property>\n"
                f'      <filter action="include">{real}</filter>',
            )
            exists = self.test("linux", "systemdunitproperty", f"systemd loads {unit} from a file", oid, existence="at_least_one_exists")
            return oid, exists

        return self.once(("fragment", unit), make)

    def unit_files_vars(self, unit):
        """Variables with the unit file systemd loads for `unit`, and with the drop-ins it applies (two
        variables: a function over an empty component would leave the other's values out too)."""
        oid, _ = self.fragment(unit)
        drop = self.obj(
            "linux", "systemdunitproperty", f"drop-ins systemd applies to {unit}",
            f"      <linux:unit>{unit}</linux:unit>\n      <linux:property>DropInPaths</linux:property>",
        )
        fragment = self.local(f"the {unit} file systemd loads", f'<object_component object_ref="{oid}" item_field="value"/>')
        dropins = self.local(f"the drop-ins systemd applies to {unit}", f'<object_component object_ref="{drop}" item_field="value"/>')
        return fragment, dropins

    # --- output -------------------------------------------------------------------------------------

    def render(self, rule, description, criteria):
        extra = "\n  ".join(f'xmlns:{f}="{FAMILY_NS[f]}"' for f in sorted(self.families))
        def_id = f"oval:{self.ns}:def:{self.num}"
        kind = "extension-checks" if self.ns == NS_EXT else "checks"
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f"<!-- Generated by content/docker-ee/generate-checks.py ({kind}); edit the generator, not this file. -->",
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


def escape_re(text):
    """A literal for a PCRE pattern."""
    return "".join("\\" + c if c in ".^$*+?()[]{}|\\/" else c for c in text)


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
# One function per node rule and kind: returns (description, criteria). The description says what is
# checked. Standard checks first, then the extension's.

PERM_644 = {"uread", "uwrite", "gread", "oread"}
PERM_755 = {"uread", "uwrite", "uexec", "gread", "gexec", "oread", "oexec"}
PERM_444 = {"uread", "gread", "oread"}
PERM_400 = {"uread"}
PERM_660 = {"uread", "uwrite", "gread", "gwrite"}
# A directory that holds certificates: anything but group or other write.
PERM_DIR_NOT_WRITABLE = {"uread", "uwrite", "uexec", "gread", "gexec", "oread", "oexec"}

# -H/--host with an address that is not a unix socket, fd:// or ssh://: dockerd reads an address
# without a scheme as TCP. `-H` may follow switches in one word (`-DH`) and take its value attached.
HOST_FLAG_TCP = (
    rf"(?:--host(?:[ \t]*=[ \t]*|[ \t]+)|-D*H[ \t]*=?[ \t]*)[\"']?(?!{NOT_TCP})[^\s\"'\\=]"
)
# docker.socket listening on an address rather than a path (`@name` is an abstract unix socket).
LISTEN_TCP = r"^[ \t]*ListenStream[ \t]*=[ \t]*(?![/@]|vsock:)\S"


def tcp_binding(d):
    json_tcp = d.json_test(
        "daemon.json hosts has a TCP address", ".hosts[:]", "pattern match", rf"^(?!{NOT_TCP})\S"
    )
    flag_tcp = d.flag_test("dockerd -H/--host with a TCP address", HOST_FLAG_TCP)
    socket_tcp = d.unit_text_test("docker.socket listens on a TCP address", LISTEN_TCP, unit="docker.socket")
    return (
        "Pass when no dockerd listening address is TCP: neither daemon.json `hosts` nor a -H/--host argument "
        "(docker.service, its drop-ins, or an environment file a unit reads) names an address other than "
        "unix://, fd:// or ssh:// (an address without a scheme is TCP), and no docker.socket ListenStream= "
        "is an address rather than a path.",
        AND("no TCP listener configured anywhere", NOT(json_tcp), NOT(flag_tcp), NOT(socket_tcp)),
    )


def ext_tcp_binding(d):
    tcp = d.option_test(
        "no effective listener is TCP", "hosts", "pattern match", "^tcp://", check="none satisfy", existence="any_exist"
    )
    return (
        "Pass when none of dockerd's effective listeners is TCP: -H/--host as given on the command line "
        "systemd runs (or hosts in daemon.json), addresses normalised as dockerd parses them (an address "
        "without a scheme is TCP), fd:// replaced by the ListenStream= addresses of docker.socket. A "
        "configuration dockerd refuses is an error.",
        single(tcp),
    )


def kernel_fips(d):
    return d.test(
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


FIPS_VALUE = r"DOCKER_FIPS=[\"']?1(?![0-9])"


def fips(d):
    in_units = d.unit_text_test("DOCKER_FIPS=1 in docker.service Environment=", r"^[ \t]*Environment[ \t]*=[^\n]*" + FIPS_VALUE)
    branches = [kernel_fips(d), in_units]
    for path in ENV_FILES:
        in_file = d.test(
            "ind", "textfilecontent54", f"DOCKER_FIPS=1 in {path}",
            d.text_obj(f"DOCKER_FIPS=1 in {path}", r"^[ \t]*(?:export[ \t]+)?" + FIPS_VALUE, [path]),
        )
        branches.append(AND(f"{path} is read and sets DOCKER_FIPS=1", d.env_file_read(path), in_file))
    return (
        "Pass when Docker Engine - Enterprise runs in FIPS mode: the host kernel is in FIPS mode "
        "(/proc/sys/crypto/fips_enabled = 1) or DOCKER_FIPS=1 is set in docker.service (Environment=, a "
        "drop-in) or in /etc/default/docker or /etc/sysconfig/docker when a unit reads it (EnvironmentFile=).",
        OR("kernel or engine FIPS switch", *branches),
    )


def ext_fips(d):
    engine = d.option_test("a running engine answered", "engine")
    engine_fips = d.option_test(
        "the engine's security options include fips", "security-options", "pattern match", r"^(?:name=)?fips(?:,|$)",
        check="at least one",
    )
    env = d.test(
        "docker", "daemonenvironment", "DOCKER_FIPS=1 in dockerd's environment",
        d.obj("docker", "daemonenvironment", "DOCKER_FIPS as systemd passes it to dockerd", "      <docker:name>DOCKER_FIPS</docker:name>"),
        d.state("docker", "daemonenvironment", "is 1", "      <docker:value>1</docker:value>"),
    )
    return (
        "Pass when Docker Engine - Enterprise runs in FIPS mode. With a running engine (live or snapshot), as "
        "DISA's check reads it: `fips` among the Security Options of /info. Otherwise from the node: the kernel "
        "is in FIPS mode (/proc/sys/crypto/fips_enabled = 1), or DOCKER_FIPS=1 is in the environment systemd "
        "gives dockerd (Environment=, EnvironmentFile= files the unit reads, the manager's DefaultEnvironment=, "
        "after UnsetEnvironment= and later assignments).",
        OR(
            "FIPS mode",
            AND("the engine reports fips", engine, engine_fips),
            AND("no engine: kernel or DOCKER_FIPS", NOT(engine), OR("kernel or environment", kernel_fips(d), env)),
        ),
    )


AUDIT_WATCHES = [
    ("docker client/daemon binary", r"/usr/bin/docker(?:d)?"),
    ("/var/lib/docker", r"/var/lib/docker"),
    ("/etc/docker", r"/etc/docker"),
    ("/etc/docker/daemon.json", r"/etc/docker/daemon\.json"),
    ("containerd binary", r"/usr/bin/(?:docker-)?containerd"),
    ("runc binary", r"/usr/(?:s?bin)/(?:docker-)?runc"),
]


def watch_pattern(path_re):
    # `-w PATH` or a syscall rule `-F path=PATH` / `-F dir=PATH`.
    return rf"^[ \t]*(?:-w[ \t]+{path_re}/?|-a[^\n]*-F[ \t]*(?:path|dir)={path_re}/?)(?:[ \t]|$)"


def audit_watch(d, label, pattern=None, pattern_var=None):
    """Criteria: the rules auditd loads watch `label`: /etc/audit/audit.rules (what auditd loads and
    augenrules writes); only when it does not exist, the rules.d files augenrules will compile."""
    if pattern_var:
        pat = f'      <ind:pattern operation="pattern match" var_ref="{pattern_var}" var_check="at least one"/>'
    else:
        pat = f'      <ind:pattern operation="pattern match">{escape(pattern)}</ind:pattern>'
    ins = '      <ind:instance datatype="int" operation="greater than or equal">1</ind:instance>'
    main = d.obj("ind", "textfilecontent54", f"audit.rules watch on {label}", f"      <ind:filepath>{AUDIT_RULES}</ind:filepath>\n{pat}\n{ins}")
    rules_d = d.obj(
        "ind", "textfilecontent54", f"rules.d watch on {label}",
        "      <ind:path>/etc/audit/rules.d</ind:path>\n"
        "      <ind:filename operation=\"pattern match\">\\.rules$</ind:filename>\n" + pat + "\n" + ins,
    )
    compiled = d.once(
        "audit_rules_exists",
        lambda: d.test("unix", "file", f"{AUDIT_RULES} exists", d.obj("unix", "file", AUDIT_RULES, f"      <unix:filepath>{AUDIT_RULES}</unix:filepath>")),
    )
    return OR(
        f"the loaded audit rules watch {label}",
        AND("in audit.rules", compiled, d.test("ind", "textfilecontent54", f"audit.rules watches {label}", main)),
        AND("no audit.rules: in rules.d", NOT(compiled), d.test("ind", "textfilecontent54", f"rules.d watches {label}", rules_d)),
    )


def audit_common(d):
    kids = [audit_watch(d, label, watch_pattern(rx)) for label, rx in AUDIT_WATCHES]
    default_exists = d.test(
        "unix", "file", "/etc/default/docker exists",
        d.obj("unix", "file", DEFAULT_FILE, f"      <unix:filepath>{DEFAULT_FILE}</unix:filepath>"),
    )
    kids.append(
        OR("/etc/default/docker is watched when it exists", NOT(default_exists), audit_watch(d, DEFAULT_FILE, watch_pattern(escape_re(DEFAULT_FILE))))
    )
    return kids


AUDIT_DESCRIPTION = (
    "Pass when the audit rules auditd loads (/etc/audit/audit.rules; when it does not exist, the "
    "/etc/audit/rules.d/*.rules augenrules compiles into it) watch the Docker binaries (docker/dockerd, "
    "containerd, runc), /var/lib/docker, /etc/docker, daemon.json, /etc/default/docker when it exists, and "
)


def audit_rules(d):
    kids = audit_common(d)
    for unit in ["docker.service", "docker.socket"]:
        any_copy = "(?:" + "|".join(escape_re(p) for p in UNIT_DIRS) + ")/" + escape_re(unit)
        kids.append(audit_watch(d, f"{unit} unit", watch_pattern(any_copy)))
    return (
        AUDIT_DESCRIPTION + "a docker.service and a docker.socket unit file in one of systemd's unit directories.",
        AND("every Docker component is audited", *kids),
    )


def ext_audit_rules(d):
    kids = audit_common(d)
    for unit in ["docker.service", "docker.socket"]:
        frag, exists = d.fragment(unit)
        path = f'<object_component object_ref="{frag}" item_field="value"/>'
        pattern = d.local(
            f"an audit watch on the {unit} file systemd loads",
            "<concat>\n"
            '        <literal_component>^[ \\t]*(?:-w[ \\t]+</literal_component>\n'
            f"        <escape_regex>{path}</escape_regex>\n"
            '        <literal_component>/?|-a[^\\n]*-F[ \\t]*(?:path|dir)=</literal_component>\n'
            f"        <escape_regex>{path}</escape_regex>\n"
            '        <literal_component>/?)(?:[ \\t]|$)</literal_component>\n'
            "      </concat>",
        )
        kids.append(OR(f"{unit} is watched where systemd loads it", NOT(exists), audit_watch(d, f"the {unit} file systemd loads", pattern_var=pattern)))
    return (
        AUDIT_DESCRIPTION + "the docker.service and docker.socket unit files systemd loads (FragmentPath, when "
        "the unit exists).",
        AND("every Docker component is audited", *kids),
    )


def log_size(d):
    size_var = d.external("SSP: log-opts max-size (var_docker_log_max_size)")
    file_var = d.external("SSP: log-opts max-file (var_docker_log_max_file)")
    # dockerd reads sizes case-insensitively (10m = 10M).
    size = d.json_test("daemon.json log-opts max-size is the SSP value", ".log-opts.max-size", "case insensitive equals", var_ref=size_var)
    count = d.json_test("daemon.json log-opts max-file is the SSP value", ".log-opts.max-file", "equals", var_ref=file_var)
    return (
        "Pass when daemon.json `log-opts` sets `max-size` (unit letters in either case) and `max-file` to the "
        "values the SSP defines (external variables). No daemon.json or a missing key fails; a daemon.json that "
        "does not parse is an error.",
        AND("both log rotation options match the SSP", d.json_guard(), size, count),
    )


def ext_log_size(d):
    size_var = d.external("SSP: log-opts max-size (var_docker_log_max_size)")
    file_var = d.external("SSP: log-opts max-file (var_docker_log_max_file)")
    size = d.option_test("max-size is the SSP value", "log-opts.max-size", "case insensitive equals", var_ref=size_var)
    count = d.option_test("max-file is the SSP value", "log-opts.max-file", "equals", var_ref=file_var)
    return (
        "Pass when dockerd's effective log options (daemon.json `log-opts`, or --log-opt) set `max-size` "
        "(unit letters in either case) and `max-file` to the values the SSP defines (external variables). "
        "A configuration dockerd refuses is an error.",
        AND("both log rotation options match the SSP", size, count),
    )


def insecure_registry(d):
    json_any = d.json_test("daemon.json insecure-registries has an entry", ".insecure-registries[:]")
    flag = d.flag_test("dockerd --insecure-registry", r"--insecure-registry(?:[= \t\"']|$)")
    return (
        "Pass when no insecure registry is configured: daemon.json `insecure-registries` is absent or empty and "
        "no --insecure-registry argument is set in docker.service (incl. drop-ins) or an environment file a "
        "unit reads.",
        AND("no insecure registry", NOT(json_any), NOT(flag)),
    )


def ext_insecure_registry(d):
    none = d.option_test("no insecure registry", "insecure-registries", existence="none_exist")
    return (
        "Pass when dockerd has no insecure registry: none in its effective configuration (--insecure-registry, "
        "daemon.json `insecure-registries`), or, with a running engine, none in /info beyond the 127.0.0.0/8 "
        "dockerd always adds. A configuration dockerd refuses is an error.",
        single(none),
    )


def storage_driver(d):
    json_aufs = d.json_test("daemon.json storage-driver is aufs", ".storage-driver", "equals", "aufs")
    flag = d.flag_test("dockerd --storage-driver/-s aufs", r"(?:--storage-driver(?:[ \t]*=[ \t]*|[ \t]+)|-D*s[ \t]*=?[ \t]*)[\"']?aufs(?![\w-])")
    return (
        "Pass when aufs is not configured as the storage driver, neither in daemon.json `storage-driver` nor "
        "by --storage-driver/-s in docker.service (incl. drop-ins) or an environment file a unit reads.",
        AND("aufs not configured", NOT(json_aufs), NOT(flag)),
    )


def ext_storage_driver(d):
    aufs = d.option_test("the storage driver is not aufs", "storage-driver", "equals", "aufs", check="none satisfy", existence="any_exist")
    return (
        "Pass when dockerd's storage driver is not aufs: the running engine's (/info Driver) when there is one, "
        "else the configured one (--storage-driver/-s, daemon.json), else the one dockerd would choose: the "
        "driver whose state already exists in the data root, or the first its order the kernel supports. When "
        "none of these can be told (an offline root with no driver state), the rule passes with a note.",
        single(aufs),
    )


def userland_proxy(d):
    json_false = d.json_test("daemon.json userland-proxy is false", ".userland-proxy", "equals", "false", datatype="boolean")
    json_true = d.json_test("daemon.json userland-proxy is true", ".userland-proxy", "equals", "true", datatype="boolean")
    flag_false = d.flag_test("dockerd --userland-proxy=false", rf"--userland-proxy={FALSE_WORDS}(?![\w-])")
    flag_on = d.flag_test("dockerd --userland-proxy (enabled)", rf"--userland-proxy(?![\w-])(?!={FALSE_WORDS}(?![\w-]))")
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


def ext_userland_proxy(d):
    off = d.option_test("the userland proxy is off", "userland-proxy", "equals", "false")
    return (
        "Pass when dockerd's effective `userland-proxy` is false (--userland-proxy=false or daemon.json); the "
        "default is on. A configuration dockerd refuses is an error.",
        single(off),
    )


def experimental(d):
    json_true = d.json_test("daemon.json experimental is true", ".experimental", "equals", "true", datatype="boolean")
    flag = d.flag_test("dockerd --experimental (enabled)", rf"--experimental(?![\w-])(?!={FALSE_WORDS}(?![\w-]))")
    return (
        "Pass when experimental features are not switched on (the default is off): daemon.json `experimental` "
        "is not true and no --experimental argument enables them.",
        AND("experimental off", NOT(json_true), NOT(flag)),
    )


def ext_experimental(d):
    on = d.option_test("experimental features are off", "experimental", "equals", "true", check="none satisfy", existence="any_exist")
    return (
        "Pass when dockerd runs without experimental features: the running engine's /version Experimental when "
        "there is one, else the effective --experimental / daemon.json `experimental` (default off). A "
        "configuration dockerd refuses is an error.",
        single(on),
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
REMOTE_RE = "^(?:" + "|".join(n for n, _, _ in REMOTE_DRIVERS) + ")$"


def plugin_var(d):
    # One regular expression, not a list: an XCCDF Value exports one string to its OVAL variable. The default
    # "(?!)" matches nothing (no plugin approved); OVAL variables cannot be empty.
    return d.once("plugins", lambda: d.external("SSP: regex of allowed log driver plugins (var_docker_log_driver_plugins)"))


def log_driver_set(d):
    builtin = d.json_test("daemon.json log-driver is a remote driver", ".log-driver", "pattern match", REMOTE_RE)
    plugin = d.json_test("daemon.json log-driver is an allowed plugin", ".log-driver", "pattern match", var_ref=plugin_var(d))
    return (
        "Pass when daemon.json `log-driver` is syslog, awslogs, splunk, gcplogs, logentries or an allowed "
        "plugin (external variable). json-file, local, journald, none, no key or no daemon.json fail; a "
        "daemon.json that does not parse is an error.",
        AND("daemon.json is JSON with an approved log driver", d.json_guard(), OR("an approved log driver", builtin, plugin)),
    )


def ext_log_driver_set(d):
    builtin = d.option_test("the log driver is a remote driver", "log-driver", "pattern match", REMOTE_RE)
    plugin = d.option_test("the log driver is an allowed plugin", "log-driver", "pattern match", var_ref=plugin_var(d))
    return (
        "Pass when dockerd's effective log driver (the running engine's, else --log-driver or daemon.json "
        "`log-driver`, default json-file) is syslog, awslogs, splunk, gcplogs, logentries or an allowed plugin "
        "(external variable). A configuration dockerd refuses is an error.",
        OR("an approved log driver", builtin, plugin),
    )


def remote_logging(d):
    branches = []
    for driver, option, dest_re in REMOTE_DRIVERS:
        is_driver = d.json_test(f"daemon.json log-driver is {driver}", ".log-driver", "equals", driver)
        dest = d.json_test(
            f"daemon.json log-opts {option} names a destination", f".log-opts.{option}", "pattern match", dest_re
        )
        branches.append(AND(f"{driver} with its destination", is_driver, dest))
    branches.append(d.json_test("daemon.json log-driver is an allowed plugin", ".log-driver", "pattern match", var_ref=plugin_var(d)))
    return (
        "Pass when daemon.json `log-driver` sends logs off the node: syslog with log-opts `syslog-address` "
        "(tcp://, udp:// or tcp+tls://), awslogs with `awslogs-group`, splunk with `splunk-url` (http(s)://), "
        "gcplogs with `gcp-project`, logentries with `logentries-token` (non-empty), or an allowed plugin "
        "(external variable, default none). "
        "json-file, local, journald, none, no key or no daemon.json fail; a daemon.json that does not parse is "
        "an error.",
        AND("daemon.json is JSON with a remote log driver", d.json_guard(), OR("a remote log driver with its destination", *branches)),
    )


def ext_remote_logging(d):
    branches = []
    for driver, option, dest_re in REMOTE_DRIVERS:
        is_driver = d.option_test(f"the log driver is {driver}", "log-driver", "equals", driver)
        dest = d.option_test(f"log-opts {option} names a destination", f"log-opts.{option}", "pattern match", dest_re)
        branches.append(AND(f"{driver} with its destination", is_driver, dest))
    branches.append(d.option_test("the log driver is an allowed plugin", "log-driver", "pattern match", var_ref=plugin_var(d)))
    return (
        "Pass when dockerd's effective log driver sends logs off the node: syslog with log-opt `syslog-address` "
        "(tcp://, udp:// or tcp+tls://), awslogs with `awslogs-group`, splunk with `splunk-url` (http(s)://), "
        "gcplogs with `gcp-project`, logentries with `logentries-token`, or an allowed plugin (external "
        "variable). Driver and options come from --log-driver/--log-opt or daemon.json (the running engine's "
        "driver when there is one). A configuration dockerd refuses is an error.",
        OR("a remote log driver with its destination", *branches),
    )


def swarm_listener(d):
    proc = d.test(
        "unix", "file", "/proc/net/tcp is readable (a live host)", d.obj("unix", "file", "/proc/net/tcp", "      <unix:filepath>/proc/net/tcp</unix:filepath>")
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


def exist_note(existence):
    if existence == "any_exist":
        return "; when it does not exist the rule passes (DISA: not a finding)."
    return "; a missing file fails."


SEEN_NOTE = " A symlink is judged by the file it points to (what dockerd and systemd read); the link is shown, not judged."


def file_rule(what, paths, existence, owner=None, allowed=None, label=None, directory=False, gid_of_docker=False):
    """Owner (root:root, or root:docker) or mode of fixed paths, as dockerd sees them."""

    def build(d):
        checked, links = d.files_seen(what, paths=paths, directory=directory)
        if owner:
            gid = docker_gid(d) if gid_of_docker else None
            sid = d.owner_state(f"{what} owned by {owner}", gid_var=gid)
            claim = f"is owned by {owner}"
        else:
            sid = d.mode_state(f"{what} mode {label}", allowed)
            claim = f"has mode {label}"
        return (f"Pass when {what} {claim}{exist_note(existence)}{SEEN_NOTE}", d.seen_test(f"{what} {claim}", checked, links, sid, existence))

    return build


def unit_rule(unit, owner=False, allowed=None, label=None):
    """docker.service/docker.socket: standard OVAL checks every copy in systemd's unit directories and
    every drop-in; the extension checks the file systemd loads and the drop-ins it applies."""

    def state(d):
        if owner:
            return d.owner_state(f"{unit} files owned by root:root"), "are owned by root:root"
        return d.mode_state(f"{unit} files mode {label}", allowed), f"have mode {label}"

    def build(d):
        sid, claim = state(d)
        files, file_links = d.files_seen(f"copies of {unit}", paths=unit_paths(unit))
        dirs = d.constant(f"{unit} drop-in directories", dropin_dirs(unit))
        dropins = d.obj(
            "unix", "file", f"{unit} drop-ins",
            f'      <unix:path var_ref="{dirs}" var_check="at least one"/>\n'
            '      <unix:filename operation="pattern match">\\.conf$</unix:filename>',
        )
        dropins_var = d.local(f"{unit} drop-in paths", f'<object_component object_ref="{dropins}" item_field="filepath"/>')
        drop_files, drop_links = d.files_seen(f"{unit} drop-ins", var=dropins_var)
        return (
            f"Pass when all copies of {unit} in systemd's unit directories and its drop-ins {claim}; no such file "
            f"passes (DISA: not a finding).{SEEN_NOTE}",
            AND(
                f"{unit} files {claim}",
                d.seen_test(f"copies of {unit} {claim}", files, file_links, sid, "any_exist"),
                d.seen_test(f"{unit} drop-ins {claim}", drop_files, drop_links, sid, "any_exist"),
            ),
        )

    def ext_build(d):
        sid, claim = state(d)
        fragment, dropins = d.unit_files_vars(unit)
        files, file_links = d.files_seen(f"the {unit} file systemd loads", var=fragment)
        drop_files, drop_links = d.files_seen(f"the drop-ins systemd applies to {unit}", var=dropins)
        return (
            f"Pass when the unit file systemd loads for {unit} (FragmentPath) and the drop-ins it applies "
            f"{claim}; no unit passes (DISA: not a finding).{SEEN_NOTE}",
            AND(
                f"{unit} files {claim}",
                d.seen_test(f"the {unit} file systemd loads {claim}", files, file_links, sid, "any_exist"),
                d.seen_test(f"{unit} drop-ins {claim}", drop_files, drop_links, sid, "any_exist"),
            ),
        )

    return build, ext_build


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


CERTS = "/etc/docker/certs.d"
REGISTRY_DIR = r"^/etc/docker/certs\.d/[^/]+$"


def certs_seen(d):
    """(checked, links) for what DISA's `stat /etc/docker/certs.d/*` and `certs.d/<registry>/*` show: the
    registry directories, files directly in certs.d, and the files in each registry directory; a symlink
    (to a directory or a file) replaced by what it points to."""
    is_link = d.once("is_link", lambda: d.state("unix", "file", "a symbolic link", "      <unix:type>symbolic link</unix:type>"))
    is_dir = d.state("unix", "file", "a directory", "      <unix:type>directory</unix:type>")
    registries = d.obj(
        "unix", "file", "registry directories in certs.d",
        f'      <unix:path operation="pattern match">{REGISTRY_DIR}</unix:path>\n'
        '      <unix:filename xsi:nil="true"/>',
    )
    top = d.obj(
        "unix", "file", "files in certs.d",
        f'      <unix:path>{CERTS}</unix:path>\n      <unix:filename operation="pattern match">^.+$</unix:filename>',
    )
    inner = d.obj(
        "unix", "file", "files in certs.d/<registry>/",
        f'      <unix:path operation="pattern match">{REGISTRY_DIR}</unix:path>\n'
        '      <unix:filename operation="pattern match">^.+$</unix:filename>\n'
        f'      <filter action="exclude">{is_dir}</filter>',
    )
    entries = d.union("unix", "file", "certs.d entries", registries, top)
    everything = d.obj(
        "unix", "file", "certs.d entries and registry files",
        f"      <set>\n        <object_reference>{entries}</object_reference>\n"
        f"        <object_reference>{inner}</object_reference>\n"
        f'        <filter action="exclude">{is_link}</filter>\n      </set>',
    )
    # The symlinks among them, found as files (oscap's symlink probe does not search by pattern): a
    # symlinked registry directory is a non-directory entry of certs.d, so `top` finds it too.
    link_items = d.obj(
        "unix", "file", "certs.d symlinks themselves",
        f"      <set>\n        <object_reference>{top}</object_reference>\n"
        f"        <object_reference>{inner}</object_reference>\n"
        f'        <filter action="include">{is_link}</filter>\n      </set>',
    )
    link_paths = d.local("paths of the symlinks in certs.d", f'<object_component object_ref="{link_items}" item_field="filepath"/>')
    masked = d.once(
        "to_dev_null",
        lambda: d.state("unix", "symlink", "a link to /dev/null", "      <unix:canonical_path>/dev/null</unix:canonical_path>"),
    )
    links = d.obj(
        "unix", "symlink", "symlinks in certs.d",
        f'      <unix:filepath var_ref="{link_paths}" var_check="at least one"/>\n'
        f'      <filter action="exclude">{masked}</filter>',
    )
    targets = d.local("targets of the symlinks in certs.d", f'<object_component object_ref="{links}" item_field="canonical_path"/>')
    as_dir = d.obj(
        "unix", "file", "symlinked registry directories",
        f'      <unix:behaviors recurse_direction="none"/>\n      <unix:path var_ref="{targets}" var_check="at least one"/>\n'
        '      <unix:filename xsi:nil="true"/>',
    )
    as_file = d.obj("unix", "file", "symlinked certificate files", f'      <unix:filepath var_ref="{targets}" var_check="at least one"/>')
    in_dir = d.obj(
        "unix", "file", "files in symlinked registry directories",
        f'      <unix:path var_ref="{targets}" var_check="at least one"/>\n      <unix:filename operation="pattern match">^.+$</unix:filename>',
    )
    via = d.obj(
        "unix", "file", "what the symlinks in certs.d point to",
        f"      <set>\n        <set>\n          <object_reference>{as_dir}</object_reference>\n"
        f"          <object_reference>{as_file}</object_reference>\n        </set>\n"
        f"        <set>\n          <object_reference>{in_dir}</object_reference>\n        </set>\n      </set>",
    )
    checked = d.union("unix", "file", "registry certificates and their directories", everything, via)
    return checked, link_items


def registry_certs_owner(d):
    checked, links = certs_seen(d)
    sid = d.owner_state("owned by root:root")
    return (
        "Pass when every registry directory in /etc/docker/certs.d (DISA's `stat /etc/docker/certs.d/*`), every "
        "file directly in it and every file in /etc/docker/certs.d/<registry>/ is owned by root:root; none "
        "passes." + SEEN_NOTE,
        d.seen_test("registry certificates and directories are root:root", checked, links, sid, "any_exist"),
    )


def registry_certs_mode(d):
    checked, links = certs_seen(d)
    file_ok = d.mode_state("a file with mode 444 or stricter", PERM_444, kind="regular")
    dir_ok = d.mode_state("a directory writable by its owner only", PERM_DIR_NOT_WRITABLE, kind="directory")
    ok = d.test("unix", "file", "registry certificates 444 or stricter, their directories not group/other writable",
                checked, states=[file_ok, dir_ok], state_operator="OR", existence="any_exist")
    shown = d.test("unix", "file", "certs.d symlinks shown as evidence", links, existence="any_exist")
    return (
        "Pass when every registry certificate file (/etc/docker/certs.d/<registry>/*, and files directly in "
        "certs.d) has mode 444 or stricter and no registry directory is writable by group or other (stricter "
        "than DISA: a writable directory lets its files be replaced); none passes." + SEEN_NOTE,
        AND("registry certificates protected", ok, shown),
    )


def tls_file(key, flag, kind, allowed=None, label=None):
    """The TLS file daemon.json `key` or dockerd `flag` names: ownership or mode."""

    def state(d):
        if kind == "owner":
            return d.owner_state(f"{key} file owned by root:root"), "is owned by root:root"
        return d.mode_state(f"{key} file mode {label}", allowed), f"has mode {label}"

    def build(d):
        from_json = d.json_obj(f".{key}")
        json_paths = d.local(
            f"{key} path from daemon.json",
            f'<object_component object_ref="{from_json}" item_field="value" record_field="#"/>',
        )
        unit_files = unit_paths("docker.service") + ENV_FILES
        from_flags = d.text_obj(
            f"dockerd --{flag} path", LINE + rf"--{flag}(?:[ \t]*=[ \t]*|[ \t]+)[\"']?([^\s\"']+)", unit_files, dropin_dirs("docker.service")
        )
        flag_paths = d.local(
            f"{flag} path from dockerd arguments",
            f'<object_component object_ref="{from_flags}" item_field="subexpression"/>',
        )
        a, a_links = d.files_seen(f"{key} named in daemon.json", var=json_paths)
        b, b_links = d.files_seen(f"--{flag} file", var=flag_paths)
        sid, claim = state(d)
        # oscap turns an object that failed to collect into an empty variable, which would pass vacuously.
        # "key present OR key absent" is true for a missing or parsable daemon.json and error when it does not
        # parse (oscap rates check_existence any_exist on an errored object true, so that cannot be used).
        has_key = d.test("ind", "yamlfilecontent", f"daemon.json has {key}", d.json_obj(f".{key}"))
        parses = OR("daemon.json is absent or parses", has_key, NOT(has_key))
        return (
            f"Pass when the file named by daemon.json `{key}` or dockerd --{flag} (docker.service incl. drop-ins, "
            f"/etc/default/docker, /etc/sysconfig/docker) {claim}. No TLS file configured passes; a daemon.json "
            "that does not parse is an error." + SEEN_NOTE,
            AND(
                "daemon.json readable and the TLS file right",
                parses,
                d.seen_test(f"the {key} file from daemon.json {claim}", a, a_links, sid, "any_exist"),
                d.seen_test(f"the --{flag} file {claim}", b, b_links, sid, "any_exist"),
            ),
        )

    def ext_build(d):
        checked, links = d.files_seen(f"dockerd's {key}", var=d.option_paths(key))
        sid, claim = state(d)
        # The option object is an error when dockerd would refuse its configuration; a variable from an
        # errored object is empty, so that error is kept explicitly.
        readable = d.option_test("dockerd's configuration can be read", "userland-proxy")
        return (
            f"Pass when the {key} file dockerd uses {claim}: --{flag} or daemon.json `{key}`, or, once TLS is on "
            f"(tls/tlsverify, DOCKER_TLS_VERIFY), dockerd's default $DOCKER_CERT_PATH or ~/.docker. No TLS file "
            "passes; a configuration dockerd refuses is an error." + SEEN_NOTE,
            AND("configuration read and the TLS file right", readable, d.seen_test(f"dockerd's {key} file {claim}", checked, links, sid, "any_exist")),
        )

    return build, ext_build


def pair(build):
    return (build, None)


SERVICE_OWNER = unit_rule("docker.service", owner=True)
SERVICE_MODE = unit_rule("docker.service", allowed=PERM_644, label="644 or stricter")
SOCKET_OWNER = unit_rule("docker.socket", owner=True)
SOCKET_MODE = unit_rule("docker.socket", allowed=PERM_644, label="644 or stricter")

# STIG ID → (standard check, extension check or None).
RULES = {
    "DKER-EE-001050": (tcp_binding, ext_tcp_binding),
    "DKER-EE-001070": (fips, ext_fips),
    "DKER-EE-001090": (audit_rules, ext_audit_rules),
    "DKER-EE-001370": (log_size, ext_log_size),
    "DKER-EE-001800": (insecure_registry, ext_insecure_registry),
    "DKER-EE-001810": (storage_driver, ext_storage_driver),
    "DKER-EE-001830": (userland_proxy, ext_userland_proxy),
    "DKER-EE-001840": (experimental, ext_experimental),
    "DKER-EE-003230": (log_driver_set, ext_log_driver_set),
    "DKER-EE-003310": (log_size, ext_log_size),
    "DKER-EE-003320": (remote_logging, ext_remote_logging),
    "DKER-EE-006270": pair(swarm_listener),
    "DKER-EE-005170": SERVICE_OWNER,
    "DKER-EE-005180": SERVICE_MODE,
    "DKER-EE-005190": SOCKET_OWNER,
    "DKER-EE-005200": SOCKET_MODE,
    "DKER-EE-005210": pair(file_rule("/etc/docker", ["/etc/docker"], "at_least_one_exists", owner="root:root", directory=True)),
    "DKER-EE-005220": pair(file_rule("/etc/docker", ["/etc/docker"], "at_least_one_exists", allowed=PERM_755, label="755 or stricter", directory=True)),
    "DKER-EE-005230": pair(registry_certs_owner),
    "DKER-EE-005240": pair(registry_certs_mode),
    "DKER-EE-005250": tls_file("tlscacert", "tlscacert", "owner"),
    "DKER-EE-005260": tls_file("tlscacert", "tlscacert", "mode", PERM_444, "444 or stricter"),
    "DKER-EE-005270": tls_file("tlscert", "tlscert", "owner"),
    "DKER-EE-005280": tls_file("tlscert", "tlscert", "mode", PERM_444, "444 or stricter"),
    "DKER-EE-005290": tls_file("tlskey", "tlskey", "owner"),
    "DKER-EE-005300": tls_file("tlskey", "tlskey", "mode", PERM_400, "400 or stricter"),
    "DKER-EE-005310": pair(file_rule("the docker socket", SOCKETS, "at_least_one_exists", owner="root:docker", gid_of_docker=True)),
    "DKER-EE-005320": pair(file_rule("the docker socket", SOCKETS, "at_least_one_exists", allowed=PERM_660, label="660 or stricter")),
    "DKER-EE-005330": pair(file_rule("/etc/docker/daemon.json", [DAEMON_JSON], "at_least_one_exists", owner="root:root")),
    "DKER-EE-005340": pair(file_rule("/etc/docker/daemon.json", [DAEMON_JSON], "at_least_one_exists", allowed=PERM_644, label="644 or stricter")),
    "DKER-EE-005350": pair(file_rule("/etc/default/docker", [DEFAULT_FILE], "any_exist", owner="root:root")),
    "DKER-EE-005360": pair(file_rule("/etc/default/docker", [DEFAULT_FILE], "any_exist", allowed=PERM_644, label="644 or stricter")),
}


def documents(rules):
    """(directory, file name, text) of every check file."""
    out = []
    for stig_id, (standard, extension) in sorted(RULES.items()):
        rule = rules[stig_id]
        num = int(stig_id.rsplit("-", 1)[1])
        for directory, ns, build in [("checks", NS, standard), ("extension-checks", NS_EXT, extension)]:
            if build is None:
                continue
            doc = Doc(num, ns)
            description, criteria = build(doc)
            out.append((directory, f"{stig_id}.xml", doc.render(rule, description, criteria)))
    return out


def main():
    rules_path = sys.argv[1] if len(sys.argv) > 1 else RULES_JSON
    with open(rules_path, encoding="utf-8") as f:
        rules = {r["stig_id"]: r for r in json.load(f)["rules"]}
    written = {}
    for directory, name, text in documents(rules):
        out_dir = os.path.join(HERE, directory)
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
            f.write(text)
        written[directory] = written.get(directory, 0) + 1
    # extension-checks/ is this script's alone (checks/ also holds generate_engine_checks.py's files).
    keep = {f"{s}.xml" for s, (_, ext) in RULES.items() if ext}
    for stale in sorted(set(os.listdir(os.path.join(HERE, "extension-checks"))) - keep):
        os.remove(os.path.join(HERE, "extension-checks", stale))
    print(", ".join(f"wrote {n} checks to {d}/" for d, n in sorted(written.items())))


if __name__ == "__main__":
    main()
