#!/usr/bin/env python3
"""Writes content/docker-ee/checks/<STIG-ID>.xml for the rules decided through the Docker Engine API
(and UCP/DTR): one self-contained OVAL 5.11.3 document per rule, using stigrun's Docker extension
objects (namespace http://stigrun.io/XMLSchema/oval-definitions-5#docker, schema in xsd/).

The node checks (files on the node) come from generate-checks.py; this generator writes only the
`api` rules, so the two can change independently. Titles and ids are read from DISA's V2R2 XCCDF in
this folder. Edit this script, re-run it, commit both.

Objects every container rule shares (all containers; the networks) have one id and the same text in
every file, so the merged document collects them once.

usage: generate_engine_checks.py
"""

import os
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

HERE = os.path.dirname(os.path.abspath(__file__))
XCCDF = os.path.join(HERE, "U_Docker_Enterprise_2-x_Linux-Unix_STIG_V2R2_Manual-xccdf.xml")
NS = "io.stigrun.docker-ee"
TIMESTAMP = "2026-12-03T00:00:00"
DOCKER_NS = "http://stigrun.io/XMLSchema/oval-definitions-5#docker"

# Shared ids (numbers above any STIG number).
ALL_CONTAINERS = f"oval:{NS}:obj:9000001"
ALL_NETWORKS = f"oval:{NS}:obj:9000002"
SYSTEM_CONTAINER = f"oval:{NS}:ste:9000001"
NOT_RUNNING = f"oval:{NS}:ste:9000002"

SHARED_OBJECTS = {
    ALL_CONTAINERS: f"""    <docker:container_object id="{ALL_CONTAINERS}" version="1" comment="every container of the engine (docker ps --all)">
      <docker:name operation="pattern match">.*</docker:name>
    </docker:container_object>""",
    ALL_NETWORKS: f"""    <docker:network_object id="{ALL_NETWORKS}" version="1" comment="every network of the engine">
      <docker:name operation="pattern match">.*</docker:name>
    </docker:network_object>""",
}
SHARED_STATES = {
    SYSTEM_CONTAINER: f"""    <docker:container_state id="{SYSTEM_CONTAINER}" version="1" comment="a UCP, Kubernetes or DTR system container, which DISA's check text leaves out (grep -iv &quot;ucp\\|kube\\|dtr&quot;)">
      <docker:system_container datatype="boolean">true</docker:system_container>
    </docker:container_state>""",
    NOT_RUNNING: f"""    <docker:container_state id="{NOT_RUNNING}" version="1" comment="not running (DISA's docker ps without --all lists running containers only)">
      <docker:running datatype="boolean">false</docker:running>
    </docker:container_state>""",
}


def rules_from_xccdf():
    ns = {"x": "http://checklists.nist.gov/xccdf/1.1"}
    root = ET.parse(XCCDF).getroot()
    out = {}
    for group in root.iter("{http://checklists.nist.gov/xccdf/1.1}Group"):
        rule = group.find("x:Rule", ns)
        stig_id = rule.find("x:version", ns).text
        out[stig_id] = {
            "stig_id": stig_id,
            "rule_id": rule.get("id"),
            "vuln_id": group.get("id"),
            "title": rule.find("x:title", ns).text,
        }
    return out


class Doc:
    def __init__(self, num):
        self.num = num
        self.counters = {}
        self.tests, self.objects, self.states, self.variables = [], [], [], []
        self.shared_objects, self.shared_states = set(), set()

    def new_id(self, kind):
        n = self.counters.get(kind, 0) + 1
        self.counters[kind] = n
        return f"oval:{NS}:{kind}:{self.num}{n:02d}"

    def share_object(self, oid):
        self.shared_objects.add(oid)
        return oid

    def share_state(self, sid):
        self.shared_states.add(sid)
        return sid

    def state(self, kind, comment, body):
        sid = self.new_id("ste")
        self.states.append(
            f'    <docker:{kind}_state id="{sid}" version="1" comment={quoteattr(comment)}>\n{body}\n    </docker:{kind}_state>'
        )
        return sid

    def test(self, kind, comment, obj, states=(), check="all", existence="any_exist", operator="AND"):
        tid = self.new_id("tst")
        refs = "".join(f'\n      <docker:state state_ref="{s}"/>' for s in states)
        op = f' state_operator="{operator}"' if operator != "AND" else ""
        self.tests.append(
            f'    <docker:{kind}_test id="{tid}" version="1" check="{check}" check_existence="{existence}"{op} comment={quoteattr(comment)}>\n'
            f'      <docker:object object_ref="{obj}"/>{refs}\n    </docker:{kind}_test>'
        )
        return tid

    def external(self, comment, datatype="string"):
        vid = self.new_id("var")
        self.variables.append(
            f'    <external_variable id="{vid}" version="1" datatype="{datatype}" comment={quoteattr(comment)}/>'
        )
        return vid

    def not_matching(self, comment, approved_var):
        """A local variable: a regex matching any value the approved regex does not match whole."""
        vid = self.new_id("var")
        self.variables.append(
            f'    <local_variable id="{vid}" version="1" datatype="string" comment={quoteattr(comment)}>\n'
            f"      <concat>\n"
            f"        <literal_component>^(?!(?:</literal_component>\n"
            f'        <variable_component var_ref="{approved_var}"/>\n'
            f"        <literal_component>)$)</literal_component>\n"
            f"      </concat>\n"
            f"    </local_variable>"
        )
        return vid

    # --- containers -------------------------------------------------------------------------

    def containers(self, comment, body, exclude_system=True, running_only=False):
        """Every container (but DISA's exclusions) satisfies `body`."""
        states = []
        if exclude_system:
            states.append(self.share_state(SYSTEM_CONTAINER))
        if running_only:
            states.append(self.share_state(NOT_RUNNING))
        states.append(self.state("container", comment, body))
        obj = self.share_object(ALL_CONTAINERS)
        return self.test("container", comment, obj, states, operator="OR" if len(states) > 1 else "AND")

    # --- settings ---------------------------------------------------------------------------

    def setting(self, document, key, comment, body, existence="at_least_one_exists", check="all"):
        oid = self.new_id("obj")
        self.objects.append(
            f'    <docker:setting_object id="{oid}" version="1" comment={quoteattr(document + " " + key)}>\n'
            f"      <docker:document>{escape(document)}</docker:document>\n"
            f"      <docker:key>{escape(key)}</docker:key>\n"
            f"    </docker:setting_object>"
        )
        sid = self.state("setting", comment, body)
        return self.test("setting", comment, oid, [sid], check=check, existence=existence)

    def certificate(self, document, comment, body):
        oid = self.new_id("obj")
        self.objects.append(
            f'    <docker:certificate_object id="{oid}" version="1" comment={quoteattr(document)}>\n'
            f"      <docker:document>{escape(document)}</docker:document>\n"
            f"    </docker:certificate_object>"
        )
        sid = self.state("certificate", comment, body)
        return self.test("certificate", comment, oid, [sid], existence="at_least_one_exists")

    def render(self, rule, description, criteria):
        def_id = f"oval:{NS}:def:{self.num}"
        objects = [SHARED_OBJECTS[o] for o in sorted(self.shared_objects)] + self.objects
        states = [SHARED_STATES[s] for s in sorted(self.shared_states)] + self.states
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            "<!-- Generated by content/docker-ee/generate_engine_checks.py; edit the generator, not this file. -->",
            '<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5"',
            '  xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5"',
            '  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
            f'  xmlns:docker="{DOCKER_NS}">',
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
            *objects,
            "  </objects>",
            "  <states>",
            *states,
            "  </states>",
        ]
        if self.variables:
            parts += ["  <variables>", *self.variables, "  </variables>"]
        parts.append("</oval_definitions>")
        return "\n".join(parts) + "\n"


def AND(comment, *kids):
    return ("AND", list(kids), comment)


def OR(comment, *kids):
    return ("OR", list(kids), comment)


def NOT(kid):
    return ("NOT", kid)


def render_criteria(node, indent, negate=False):
    pad = " " * indent
    if isinstance(node, str):
        neg = ' negate="true"' if negate else ""
        return f'{pad}<criterion test_ref="{node}"{neg}/>'
    if node[0] == "NOT":
        return render_criteria(node[1], indent, not negate)
    op, kids, comment = node
    neg = ' negate="true"' if negate else ""
    inner = "\n".join(render_criteria(k, indent + 2) for k in kids)
    return f'{pad}<criteria operator="{op}"{neg} comment={quoteattr(comment)}>\n{inner}\n{pad}</criteria>'


def single(tid):
    return ("AND", [tid], "the test")


def ent(name, value, operation="equals", datatype=None, check=None, var_ref=None, indent=6):
    attrs = ""
    if datatype:
        attrs += f' datatype="{datatype}"'
    if operation != "equals":
        attrs += f' operation="{operation}"'
    if check:
        attrs += f' entity_check="{check}"'
    if var_ref:
        return f'{" " * indent}<docker:{name}{attrs} var_ref="{var_ref}"/>'
    return f'{" " * indent}<docker:{name}{attrs}>{escape(value)}</docker:{name}>'


def record(name, fields, check):
    """A record entity (mount, port) with fields; `fields` are (name, value, operation, datatype, var_ref)."""
    lines = [f'      <docker:{name} datatype="record" entity_check="{check}">']
    for fname, value, operation, datatype, var_ref in fields:
        attrs = ""
        if datatype:
            attrs += f' datatype="{datatype}"'
        if operation != "equals":
            attrs += f' operation="{operation}"'
        if var_ref:
            lines.append(f'        <field name="{fname}"{attrs} var_ref="{var_ref}"/>')
        else:
            lines.append(f'        <field name="{fname}"{attrs}>{escape(value)}</field>')
    lines.append(f"      </docker:{name}>")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------
# Container rules. DISA's exclusions (ucp/kube/dtr) apply where its command has the grep.

def not_host(field, label):
    def build(d):
        t = d.containers(f"{label} is not the host's", ent(field, "host", "not equal"))
        return (f"Pass when no container (UCP, Kubernetes and DTR system containers aside, as DISA's "
                f"check text greps them out) has {label} `host`."), single(t)
    return build


def not_host_no_exclusion(field, label):
    def build(d):
        t = d.containers(f"{label} is not the host's", ent(field, "host", "not equal"), exclude_system=False)
        return f"Pass when no container has {label} `host` (DISA's check text excludes no container here).", single(t)
    return build


def sensitive_mounts(d):
    dirs = d.external("SSP: sensitive host directories (regex over a mount's host path)")
    t = d.containers("no read-write mount of a sensitive host directory",
                     record("mount", [("source", "", "pattern match", None, dirs),
                                      ("rw", "true", "equals", "boolean", None)], "none satisfy"))
    return ("Pass when no container (system containers aside) mounts a host directory the SSP calls sensitive "
            "(value docker_sensitive_host_dirs) read-write."), single(t)


def apparmor(d):
    in_use = d.setting("engine/info.json", "SecurityOptions[*]", "AppArmor is one of the engine's security options",
                       ent("value", "^name=apparmor", "pattern match", check="at least one"))
    t = d.containers("an AppArmor profile other than unconfined",
                     ent("apparmor_profile", "^(?!unconfined$).+", "pattern match"), exclude_system=False)
    return ("Pass when the engine does not use AppArmor (no `name=apparmor` among /info SecurityOptions: the "
            "rule is for Ubuntu hosts) or every container runs under an AppArmor profile other than "
            "`unconfined`."), OR("AppArmor not in use, or every container confined", NOT(in_use), t)


def selinux(d):
    t = d.containers("SELinux labelling not disabled",
                     ent("security_opt", "^label[=:]disable$", "pattern match", check="none satisfy"))
    return ("Pass when no container (system containers aside) runs with `--security-opt label=disable` "
            "(`label:disable` in older engines)."), single(t)


def approved(field, value_label, approved_comment, exclude_system=False, running_only=False, record_field=None):
    def build(d):
        ok = d.external(approved_comment)
        bad = d.not_matching(f"anything {value_label} does not approve", ok)
        if record_field:
            body = record(field, [(record_field, "", "pattern match", None, bad)], "none satisfy")
        else:
            body = ent(field, "", "pattern match", check="none satisfy", var_ref=bad)
        t = d.containers(f"every {field} approved by the SSP", body, exclude_system=exclude_system,
                         running_only=running_only)
        return (f"Pass when every container's {field} entries match the SSP's approved list ({value_label}, a "
                f"regular expression matched against the whole entry; default: none approved)."), single(t)
    return build


def privileged(d):
    t = d.containers("not privileged", ent("privileged", "false", datatype="boolean"))
    return "Pass when no container (system containers aside) runs with --privileged.", single(t)


def ssh(d):
    t = d.containers("no sshd process",
                     ent("process", r"(?:^|/)sshd(?:\s|:|$)", "pattern match", check="none satisfy"),
                     exclude_system=False)
    return ("Pass when no running container has an sshd process (GET /containers/{id}/top, what `docker exec "
            "... ps` lists); stopped containers have no processes (DISA: not a finding)."), single(t)


def memory(d):
    t = d.containers("a memory limit", ent("memory", "0", "greater than", "int"), exclude_system=False)
    return "Pass when every container has a memory limit (HostConfig.Memory, bytes, 64-bit) above 0.", single(t)


def cpu_shares(d):
    a = d.containers("CPU shares not 0", ent("cpu_shares", "0", "not equal", "int"), exclude_system=False)
    b = d.containers("CPU shares not 1024", ent("cpu_shares", "1024", "not equal", "int"), exclude_system=False)
    return ("Pass when every container's CPU shares are set to something other than 0 (unset) and 1024 (the "
            "default)."), AND("CPU shares set", a, b)


def readonly(d):
    t = d.containers("read-only root file system", ent("readonly_rootfs", "true", datatype="boolean"),
                     exclude_system=False)
    return "Pass when every container's root file system is read-only.", single(t)


def propagation(d):
    t = d.containers("no shared mount propagation",
                     record("mount", [("propagation", "^r?shared$", "pattern match", None, None)], "none satisfy"))
    return "Pass when no mount of a container (system containers aside) has propagation shared or rshared.", single(t)


def seccomp(d):
    t = d.containers("seccomp not unconfined",
                     ent("security_opt", "^seccomp[=:]unconfined$", "pattern match", check="none satisfy"))
    return ("Pass when no container (system containers aside) runs with `--security-opt seccomp=unconfined` "
            "(DISA writes `seccomp:=unconfined`; the engine records `seccomp=unconfined`, or `seccomp:unconfined` "
            "from older clients)."), single(t)


def cgroup(d):
    ok = d.external("SSP: cgroup parents containers may run under (regex; blank = Docker's default cgroup)")
    t = d.containers("cgroup parent approved by the SSP", ent("cgroup_parent", "", "pattern match", var_ref=ok),
                     exclude_system=False)
    return ("Pass when every container's cgroup parent matches the SSP's (value docker_cgroup_parent; default "
            "`^$`, Docker's own cgroup)."), single(t)


def no_new_privileges(d):
    t = d.containers("no-new-privileges set",
                     ent("security_opt", "^no-new-privileges(?:[=:]true)?$", "pattern match", check="at least one"),
                     exclude_system=False)
    return ("Pass when every container's security options include no-new-privileges (`no-new-privileges`, "
            "`=true` or `:true`); `no-new-privileges=false` does not count, and the daemon's default "
            "(daemon.json `no-new-privileges`) is not visible in the API, so it does not count either."), single(t)


def docker_socket(d):
    pattern = r"docker\.sock|docker_engine"
    a = d.containers("docker socket not mounted (host side)",
                     record("mount", [("source", pattern, "pattern match", None, None)], "none satisfy"))
    b = d.containers("docker socket not mounted (container side)",
                     record("mount", [("destination", pattern, "pattern match", None, None)], "none satisfy"))
    return ("Pass when no container (system containers aside) mounts the Docker socket (a mount whose host or "
            "container path names docker.sock or docker_engine, as DISA's grep)."), AND("socket not mounted", a, b)


def privileged_ports(d):
    t = d.containers("no host port below 1024",
                     record("port", [("host_port", "1024", "less than", "int", None)], "none satisfy"),
                     exclude_system=False)
    return "Pass when no container publishes a port on a host port below 1024.", single(t)


def host_interface(d):
    t = d.containers("published ports bound to a specific interface",
                     record("port", [("host_ip", r"^(?:0\.0\.0\.0|::|)$", "pattern match", None, None)],
                            "none satisfy"),
                     exclude_system=False, running_only=True)
    return ("Pass when every port a running container publishes is bound to a specific host address (not "
            "0.0.0.0, :: or empty)."), single(t)


def health(d):
    t = d.containers("reports healthy", ent("health_status", "healthy"), exclude_system=False, running_only=True)
    return ("Pass when every running container has a health check that reports `healthy` (the API's "
            "spelling; DISA writes `Healthy`); a container without a health check fails."), single(t)


def pids_limit(d):
    t = d.containers("a PIDs limit", ent("pids_limit", "0", "greater than", "int"), exclude_system=False)
    return "Pass when every container has a PIDs limit above 0 (not 0, -1 or unset).", single(t)


def user(d):
    t = d.containers("runs as a non-root user", ent("user", "^(?!(?:0|root)(?::|$)).+", "pattern match"),
                     exclude_system=False)
    return "Pass when every container's user (Config.User) is set and is not root or 0.", single(t)


def restart(d):
    obj = d.share_object(ALL_CONTAINERS)
    sys_state = d.share_state(SYSTEM_CONTAINER)
    no_policy = d.state("container", "no restart policy", ent("restart_policy", "^(?:no)?$", "pattern match"))
    on_failure = d.state("container", "on-failure at most 5 times",
                         ent("restart_policy", "on-failure") + "\n" +
                         ent("restart_max_retries", "5", "less than or equal", "int"))
    t = d.test("container", "restart policy none, or on-failure at most 5", obj,
               [sys_state, no_policy, on_failure], operator="OR")
    return ("Pass when every container (system containers aside) has no restart policy or `on-failure` with at "
            "most 5 retries; `always` and `unless-stopped` (which also restarts without end) fail."), single(t)


# ------------------------------------------------------------------------------------------------
# Engine, swarm, UCP and DTR settings.

def swarm_inactive(d):
    return d.setting("engine/info.json", "Swarm.LocalNodeState", "swarm is not active on this node",
                     ent("value", "active", "not equal"))


def ucp(key, value, datatype=None, label=None):
    def build(d):
        t = d.setting("ucp/config.toml", key, label or f"{key} = {value}", ent("value", value, datatype=datatype))
        return f"Pass when UCP's config-toml sets `{key}` to `{value}`.", single(t)
    return build


def ucp_all(pairs, description):
    def build(d):
        tests = [d.setting("ucp/config.toml", k, f"{k} = {v}", ent("value", v, datatype=t)) for k, v, t in pairs]
        return description, AND(description, *tests)
    return build


def dtr(key, value, datatype=None):
    def build(d):
        t = d.setting("dtr/settings.json", key, f"{key} = {value}", ent("value", value, datatype=datatype))
        return f"Pass when DTR's settings (GET /api/v0/meta/settings) have `{key}` = `{value}`.", single(t)
    return build


def per_user_limit(nonzero):
    def build(d):
        v = d.external("SSP: UCP per-user session limit", "int")
        t = d.setting("ucp/config.toml", "auth.sessions.per_user_limit", "per_user_limit is the SSP's",
                      ent("value", "", datatype="int", var_ref=v))
        if not nonzero:
            return ("Pass when UCP's `auth.sessions.per_user_limit` equals the SSP's value (ucp_per_user_limit)."), single(t)
        z = d.setting("ucp/config.toml", "auth.sessions.per_user_limit", "per_user_limit is not 0",
                      ent("value", "0", "not equal", "int"))
        return ("Pass when UCP's `auth.sessions.per_user_limit` equals the SSP's value (ucp_per_user_limit) and is "
                "not 0."), AND("SSP value, not 0", t, z)
    return build


def autolock(d):
    inactive = swarm_inactive(d)
    t = d.setting("engine/swarm.json", "Spec.EncryptionConfig.AutoLockManagers", "swarm managers auto-lock",
                  ent("value", "true", datatype="boolean"))
    return ("Pass when the swarm's managers auto-lock (GET /swarm Spec.EncryptionConfig.AutoLockManagers; the "
            "unlock key itself is never read), or the node is in no swarm."), OR("no swarm, or auto-lock", inactive, t)


def managers(d):
    inactive = swarm_inactive(d)
    low = d.setting("engine/info.json", "Swarm.Managers", "at least 1 manager",
                    ent("value", "1", "greater than or equal", "int"))
    high = d.setting("engine/info.json", "Swarm.Managers", "at most 3 managers",
                     ent("value", "3", "less than or equal", "int"))
    return ("Pass when the swarm has 1 to 3 managers (/info Swarm.Managers), or the node is in no swarm (a "
            "standalone engine has no managers to count)."), OR("no swarm, or 1-3 managers", inactive,
                                                                 AND("1-3 managers", low, high))


def node_cert_expiry(d):
    inactive = swarm_inactive(d)
    v = d.external("SSP: longest node certificate lifetime, nanoseconds", "int")
    t = d.setting("engine/info.json", "Swarm.Cluster.Spec.CAConfig.NodeCertExpiry",
                  "node certificates expire within the SSP's period",
                  ent("value", "", "less than or equal", "int", var_ref=v))
    return ("Pass when the swarm's node certificate expiry (/info Swarm.Cluster.Spec.CAConfig.NodeCertExpiry, "
            "nanoseconds, beyond 32 bits) is at most the SSP's (swarm_node_cert_expiry), or the node is in no "
            "swarm."), OR("no swarm, or rotation within the SSP's period", inactive, t)


def min_tls(d):
    t = d.setting("ucp/config.toml", "cluster_config.min_TLS_version", "minimum TLS 1.2 or newer",
                  ent("value", r"^TLSv1\.[23]$", "pattern match"))
    return ("Pass when UCP's `cluster_config.min_TLS_version` is TLSv1.2, or TLSv1.3 (stricter than DISA's "
            "TLS 1.2)."), single(t)


def dtr_scanning(d):
    on = d.setting("dtr/settings.json", "scanningEnabled", "scanning enabled", ent("value", "true", datatype="boolean"))
    db = d.setting("dtr/imagescan-status.json", "lastDBUpdateFailed", "vulnerability database updated",
                   ent("value", "false", datatype="boolean"))
    ov = d.setting("dtr/imagescan-status.json", "lastVulnOverridesDBUpdateFailed", "overrides database updated",
                   ent("value", "false", datatype="boolean"))
    return ("Pass when DTR scanning is enabled (settings `scanningEnabled`) and neither database update failed "
            "(GET /api/v0/imagescan/status)."), AND("scanning on and current", on, db, ov)


def dtr_signed(d):
    t = d.setting("dtr/tags.json", "[*].inNotary", "every tag signed", ent("value", "true", datatype="boolean"),
                  existence="any_exist")
    return "Pass when every tag of every DTR repository is signed (`inNotary` true); no tags pass.", single(t)


def encrypted_overlays(d):
    obj = d.share_object(ALL_NETWORKS)
    not_overlay = d.state("network", "not an overlay network", ent("driver", "overlay", "not equal"))
    enc = d.state("network", "encrypted", ent("encrypted", "true", datatype="boolean"))
    t = d.test("network", "overlay networks encrypted", obj, [not_overlay, enc], operator="OR")
    return ("Pass when every overlay network is created with `--opt encrypted` (application-layer encryption is "
            "not visible to the API)."), single(t)


def supported_version(d):
    ee = d.setting("engine/version.json", "Platform.Name", "a Docker Engine - Enterprise",
                   ent("value", "(?i)enterprise", "pattern match"))
    v2 = d.setting("engine/version.json", "Version", "an Enterprise 2.x engine (17.06 or 18.09)",
                   ent("value", r"^(?:17\.06|18\.09)\.", "pattern match"))
    return ("Pass unless the engine is Docker Engine - Enterprise 17.06 or 18.09 (the engines of Docker "
            "Enterprise 2.0 and 2.1, out of support): GET /version Platform.Name and Version."), \
        NOT(AND("an Enterprise 2.x engine", ee, v2))


def component_images_current(d, component):
    """`component` (ucp or dtr) images on the node are no older than the release its containers run."""
    running = d.new_id("ste")
    d.states.append(
        f'    <docker:container_state id="{running}" version="1" comment={quoteattr(f"a container of docker/{component}-* images")}>\n'
        f'      <docker:image operation="pattern match">^docker/{component}-[^:/]+:</docker:image>\n'
        f"    </docker:container_state>"
    )
    installed_obj = d.new_id("obj")
    d.objects.append(
        f'    <docker:container_object id="{installed_obj}" version="1" comment={quoteattr(f"the {component.upper()} containers (docker/{component}-* images)")}>\n'
        f'      <docker:name operation="pattern match">.*</docker:name>\n'
        f'      <filter action="include">{running}</filter>\n'
        f"    </docker:container_object>"
    )
    installed = d.new_id("var")
    d.variables.append(
        f'    <local_variable id="{installed}" version="1" datatype="version" comment={quoteattr(f"the installed {component.upper()} release: the tag of the images its containers run")}>\n'
        f'      <regex_capture pattern="^docker/{component}-[^:/]+:(.+)$">\n'
        f'        <object_component object_ref="{installed_obj}" item_field="image"/>\n'
        f"      </regex_capture>\n"
        f"    </local_variable>"
    )
    none = d.test("container", f"no {component.upper()} container on the node", installed_obj,
                  check="all", existence="none_exist")
    images = d.new_id("obj")
    d.objects.append(
        f'    <docker:image_object id="{images}" version="1" comment={quoteattr(f"every docker/{component}* image tag")}>\n'
        f'      <docker:repository operation="pattern match">^docker/{component}(?:-|$)</docker:repository>\n'
        f"    </docker:image_object>"
    )
    current = d.state("image", f"a tag no older than the installed {component.upper()} release",
                      ent("tag", "", "greater than or equal", "version", var_ref=installed))
    t = d.test("image", f"no docker/{component}* image older than the installed release", images, [current],
               check="all", existence="any_exist")
    return OR(f"no {component.upper()}, or its images current", none, t)


def outdated_ucp_dtr_images(d):
    ucp = component_images_current(d, "ucp")
    dtr = component_images_current(d, "dtr")
    return ("Pass when no docker/ucp* or docker/dtr* image on the node (GET /images/json RepoTags, what `docker "
            "images --filter reference='docker/[ucp|dtr]*'` lists) has a tag older, as a version, than the release "
            "the node's UCP (DTR) containers run (the tag of their docker/ucp-* (docker/dtr-*) images); a node "
            "without UCP (DTR) containers has nothing to compare for it."), AND("UCP and DTR images current", ucp, dtr)


def trusted_chain(service, document, also_not_self_signed):
    """The chain the endpoint presents verifies up to one of the SSP's trusted CAs (--trusted-ca)."""
    def build(d):
        body = ent("trusted", "true", datatype="boolean")
        what = "verifies up to a trusted CA"
        if also_not_self_signed:
            # The schema's order: self_signed before trusted.
            body = ent("self_signed", "false", datatype="boolean") + "\n" + body
            what += " and is not self-signed"
        t = d.certificate(document, f"{service}'s certificate chain {what}", body)
        return (f"Pass when the certificate chain {service}'s TLS endpoint presents ({document}, captured by "
                f"`stigrun collect --{service.lower()}-url` or saved from `openssl s_client -showcerts`) "
                f"{what}: signatures, validity dates and server-auth usage checked against the SSP's trusted "
                f"CAs given with --trusted-ca. Without --trusted-ca the check is an error, never a pass."), single(t)
    return build


RULES = {
    "DKER-EE-001000": per_user_limit(False),
    "DKER-EE-001080": ucp("audit_log_configuration.level", "request"),
    "DKER-EE-001100": ucp("auth.backend", "ldap"),
    "DKER-EE-001190": sensitive_mounts,
    "DKER-EE-001240": not_host("pid_mode", "PID namespace (PidMode)"),
    "DKER-EE-001250": not_host("ipc_mode", "IPC namespace (IpcMode)"),
    "DKER-EE-001870": trusted_chain("UCP", "ucp/tls-chain.pem", True),
    "DKER-EE-001880": trusted_chain("DTR", "dtr/tls-chain.pem", True),
    "DKER-EE-001890": ucp_all([("scheduling_configuration.enable_admin_ucp_scheduling", "false", "boolean"),
                               ("scheduling_configuration.enable_user_ucp_scheduling", "false", "boolean")],
                              "Pass when UCP's config-toml lets neither administrators nor users schedule on "
                              "managers and DTR nodes (the Scheduler grant the check text also names is not read)."),
    "DKER-EE-001900": dtr("createRepositoryOnPush", "false", "boolean"),
    "DKER-EE-001910": ucp_all([("tracking_configuration.disable_usageinfo", "true", "boolean"),
                               ("tracking_configuration.disable_tracking", "true", "boolean")],
                              "Pass when UCP's usage reporting and API/UI tracking are both disabled."),
    "DKER-EE-001920": dtr("reportAnalytics", "false", "boolean"),
    "DKER-EE-001930": apparmor,
    "DKER-EE-001940": selinux,
    "DKER-EE-001950": approved("cap_add", "docker_approved_capabilities",
                               "SSP: capabilities containers may add (regex over a CapAdd entry)"),
    "DKER-EE-001960": privileged,
    "DKER-EE-001970": ssh,
    "DKER-EE-001990": approved("port", "docker_approved_ports",
                               "SSP: published port mappings (regex over HOST_IP:HOST_PORT->PORT/PROTO)",
                               running_only=True, record_field="mapping"),
    "DKER-EE-002000": not_host("network_mode", "network namespace (NetworkMode)"),
    "DKER-EE-002010": memory,
    "DKER-EE-002020": cpu_shares,
    "DKER-EE-002030": readonly,
    "DKER-EE-002040": approved("device", "docker_approved_devices",
                               "SSP: host devices containers may use (regex over PATH_ON_HOST:PATH_IN_CONTAINER:PERMISSIONS)"),
    "DKER-EE-002050": propagation,
    "DKER-EE-002060": not_host_no_exclusion("uts_mode", "UTS namespace (UTSMode)"),
    "DKER-EE-002070": seccomp,
    "DKER-EE-002100": cgroup,
    "DKER-EE-002110": no_new_privileges,
    "DKER-EE-002120": not_host_no_exclusion("userns_mode", "user namespace (UsernsMode)"),
    "DKER-EE-002130": docker_socket,
    "DKER-EE-002150": privileged_ports,
    "DKER-EE-002160": host_interface,
    "DKER-EE-002180": ucp("auth.samlEnabled", "true", "boolean"),
    "DKER-EE-002400": autolock,
    "DKER-EE-002490": ucp_all([("auth.sessions.lifetime_minutes", "10", "int"),
                               ("auth.sessions.renewal_threshold_minutes", "0", "int")],
                              "Pass when UCP sessions last 10 minutes and are not renewed (lifetime_minutes 10, "
                              "renewal_threshold_minutes 0)."),
    "DKER-EE-002770": health,
    "DKER-EE-002780": pids_limit,
    "DKER-EE-002970": per_user_limit(True),
    "DKER-EE-003200": user,
    "DKER-EE-003560": approved("port", "docker_approved_ports",
                               "SSP: published port mappings (regex over HOST_IP:HOST_PORT->PORT/PROTO)",
                               running_only=True, record_field="mapping"),
    "DKER-EE-003590": ucp("trust_configuration.require_content_trust", "true", "boolean"),
    "DKER-EE-003840": dtr_scanning,
    "DKER-EE-003920": trusted_chain("UCP", "ucp/tls-chain.pem", False),
    "DKER-EE-003930": trusted_chain("DTR", "dtr/tls-chain.pem", False),
    "DKER-EE-004030": restart,
    "DKER-EE-004040": approved("ulimit", "docker_approved_ulimits",
                               "SSP: ulimits containers may set (regex over NAME=SOFT:HARD)"),
    "DKER-EE-004130": outdated_ucp_dtr_images,
    "DKER-EE-004260": dtr_signed,
    "DKER-EE-004370": ucp("trust_configuration.require_content_trust", "true", "boolean"),
    "DKER-EE-005060": managers,
    "DKER-EE-005080": node_cert_expiry,
    "DKER-EE-006190": trusted_chain("UCP", "ucp/tls-chain.pem", False),
    "DKER-EE-006240": encrypted_overlays,
    "DKER-EE-006280": min_tls,
    "DKER-EE-999999": supported_version,
}


def main():
    rules = rules_from_xccdf()
    out_dir = os.path.join(HERE, "checks")
    os.makedirs(out_dir, exist_ok=True)
    for stig_id, build in sorted(RULES.items()):
        doc = Doc(int(stig_id.rsplit("-", 1)[1]))
        description, criteria = build(doc)
        with open(os.path.join(out_dir, f"{stig_id}.xml"), "w", encoding="utf-8") as f:
            f.write(doc.render(rules[stig_id], description, criteria))
    print(f"wrote {len(RULES)} engine checks to {out_dir}")


if __name__ == "__main__":
    main()
