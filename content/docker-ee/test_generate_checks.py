#!/usr/bin/env python3
"""Unit tests for the dockerd-flag regexes of the standard checks in generate-checks.py (python3 content/docker-ee/test_generate_checks.py).

Python's `re` agrees with PCRE (oscap) on the constructs used here; the fixture hosts test the rest end to end.
"""

import importlib.util
import os
import re
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("generate_checks", os.path.join(HERE, "generate-checks.py"))
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)


def flags():
    """The flag regexes exactly as the generator writes them into the checks."""
    found = {}

    class Recorder(gen.Doc):
        def flag_test(self, comment, flag_regex):
            found[comment] = gen.LINE + flag_regex
            return super().flag_test(comment, flag_regex)

    for standard, _ in gen.RULES.values():
        standard(Recorder(0))
    return found


FLAGS = flags()


def matching(line):
    return {name for name, rx in FLAGS.items() if re.search(rx, line, re.M)}


class FlagRegexes(unittest.TestCase):
    def check(self, line, *expected):
        self.assertEqual(matching(line), set(expected), line)

    def test_tcp_host(self):
        tcp = "dockerd -H/--host with a TCP address"
        self.check("ExecStart=/usr/bin/dockerd -H fd:// -H tcp://0.0.0.0:2376", tcp)
        self.check("ExecStart=/usr/bin/dockerd --host=TCP://10.0.0.1:2376", tcp)
        self.check('DOCKER_OPTS="-H tcp://0.0.0.0:2375"', tcp)
        self.check("ExecStart=/usr/bin/dockerd -H fd:// -H unix:///run/docker.sock")
        # No scheme is TCP for dockerd; -H may follow switches and take its value attached.
        self.check("ExecStart=/usr/bin/dockerd -H 0.0.0.0:2375", tcp)
        self.check("ExecStart=/usr/bin/dockerd -H :2375", tcp)
        self.check("ExecStart=/usr/bin/dockerd -DH tcp://0.0.0.0:2375", tcp)
        self.check("ExecStart=/usr/bin/dockerd -Htcp://0.0.0.0:2375", tcp)
        self.check("ExecStart=/usr/bin/dockerd -H=unix:///var/run/docker.sock -Hfd://")
        self.check("ExecStart=/usr/bin/dockerd --hostname-like=x")

    def test_socket_listen_stream(self):
        tcp = re.compile(gen.LISTEN_TCP, re.M)
        for line in ["ListenStream=0.0.0.0:2375", "ListenStream=2375", "ListenStream = [::]:2375"]:
            self.assertTrue(tcp.search(line), line)
        for line in ["ListenStream=/run/docker.sock", "ListenStream=@docker", "#ListenStream=2375"]:
            self.assertFalse(tcp.search(line), line)

    def test_comments_do_not_count(self):
        self.check("#ExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2375")
        self.check("  ; ExecStart=/usr/bin/dockerd --experimental")
        self.check('#DOCKER_OPTS="--insecure-registry registry.local:5000"')

    def test_continuation_lines(self):
        self.check("    --insecure-registry=10.0.0.5:5000 \\", "dockerd --insecure-registry")
        self.check("    -s aufs \\", "dockerd --storage-driver/-s aufs")

    def test_storage_driver(self):
        self.check("ExecStart=/usr/bin/dockerd --storage-driver=aufs", "dockerd --storage-driver/-s aufs")
        self.check("ExecStart=/usr/bin/dockerd -Ds aufs", "dockerd --storage-driver/-s aufs")
        self.check("ExecStart=/usr/bin/dockerd --storage-driver overlay2 --storage-opt size=10G")
        self.check("ExecStart=/usr/bin/dockerd -s aufs-like")

    def test_userland_proxy(self):
        self.check("ExecStart=/usr/bin/dockerd --userland-proxy=false", "dockerd --userland-proxy=false")
        self.check("ExecStart=/usr/bin/dockerd --userland-proxy", "dockerd --userland-proxy (enabled)")
        self.check("ExecStart=/usr/bin/dockerd --userland-proxy=true", "dockerd --userland-proxy (enabled)")
        self.check("ExecStart=/usr/bin/dockerd --userland-proxy-path=/usr/bin/docker-proxy")

    def test_experimental(self):
        self.check("ExecStart=/usr/bin/dockerd --experimental", "dockerd --experimental (enabled)")
        self.check("ExecStart=/usr/bin/dockerd --experimental=false --debug")
        self.check("ExecStart=/usr/bin/dockerd --experimental=0")

    def test_fips_environment(self):
        fips = re.compile(r"^[ \t]*Environment[ \t]*=[^\n]*" + gen.FIPS_VALUE, re.M)
        self.assertTrue(fips.search('Environment="DOCKER_FIPS=1"'))
        self.assertTrue(fips.search("Environment=A=b DOCKER_FIPS=1"))
        self.assertFalse(fips.search('Environment="DOCKER_FIPS=10"'))
        self.assertFalse(fips.search('# Environment="DOCKER_FIPS=1"'))


class Ids(unittest.TestCase):
    def test_ids_unique_across_rules(self):
        seen = {}
        for stig_id, builds in gen.RULES.items():
            for build, ns in zip(builds, [gen.NS, gen.NS_EXT]):
                if build is None:
                    continue
                doc = gen.Doc(int(stig_id.rsplit("-", 1)[1]), ns)
                build(doc)
                text = "\n".join(doc.tests + doc.objects + doc.states + doc.variables)
                for oval_id in re.findall(r'id="(oval:[^"]+)"', text):
                    self.assertNotIn(oval_id, seen, f"{oval_id} in {stig_id} and {seen.get(oval_id)}")
                    seen[oval_id] = stig_id
        self.assertGreater(len(seen), 100)

    def test_escape_re(self):
        self.assertEqual(gen.escape_re("/etc/default/docker.d"), "\\/etc\\/default\\/docker\\.d")


if __name__ == "__main__":
    unittest.main()
