#!/bin/sh
# Like oscap-as-stigrun.sh, but turns the result of one definition around (true <-> false, anything
# else -> true) to show that the harness notices a wrong stigrun result. The definition is
# $FLIP_DEFINITION (default oval:x:def:1), in every case.
set -eu
here=$(dirname "$0")
flip=${FLIP_DEFINITION:-oval:x:def:1}
"$here/oscap-as-stigrun.sh" "$@" | awk -v id="Definition $flip:" '
    index($0, id) == 1 {
        result = substr($0, length(id) + 2)
        $0 = id " " (result == "true" ? "false" : "true")
    }
    { print }'
