//! Built-in content: `docker-ee` (and `docker-ee@V2R1`) → embedded benchmark bytes; paths → sources.
