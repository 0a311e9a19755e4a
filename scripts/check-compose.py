"""Asserts what the project relies on in a merged compose config (stdin, `docker-compose config`).

Argument: the compose files that were merged, space-separated. Prints nothing when all is well;
otherwise one line per problem, and exits 1.
"""

import pathlib
import sys
import tomllib

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent


def topology():
    """topology.txt: name, default port, port variable, the services it calls."""
    rows = []
    for line in (ROOT / "topology.txt").read_text().splitlines():
        words = line.split()
        if words and not words[0].startswith("#"):
            rows.append((words[0], int(words[1]), words[3:]))
    return rows


# The five services' ports and the URL variables of the neighbours they call.
PORTS = {name: port for name, port, _ in topology() if name != "pact-broker"}
NEIGHBOURS = {
    name: {called: called.upper().replace("-", "_") + "_URL" for called in calls}
    for name, _, calls in topology()
    if calls
}

files = sys.argv[1].split()
embedded = "docker-compose.embedded-broker.yml" in files
dev = "docker-compose.dev.yml" in files
config = yaml.safe_load(sys.stdin)
services = config.get("services", {})
volumes = config.get("volumes", {}) or {}
problems = []


def check(condition, message):
    if not condition:
        problems.append(message)


def published(service):
    """(host ip, host port, container port) of each published port, long or short syntax."""
    result = []
    for port in service.get("ports", []):
        if isinstance(port, dict):
            result.append((port.get("host_ip"), int(port["published"]), int(port["target"])))
        else:
            parts = str(port).split("/")[0].split(":")
            result.append((parts[0] if len(parts) == 3 else None, int(parts[-2]), int(parts[-1])))
    return result


def env(service):
    value = service.get("environment", {}) or {}
    if isinstance(value, list):
        value = dict(item.split("=", 1) if "=" in item else (item, None) for item in value)
    return value


def named_volume_on(service, path):
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            source, target = volume.get("source"), volume.get("target")
        else:
            source, target = (str(volume).split(":") + [None])[:2]
        if target == path and source in volumes:
            return True
    return False


for name, port in PORTS.items():
    service = services.get(name)
    if service is None:
        problems.append(f"{name}: missing")
        continue
    check(service.get("init") is True, f"{name}: init is not true")
    check("healthcheck" in service, f"{name}: no healthcheck")
    check(named_volume_on(service, "/data"), f"{name}: no named volume on /data")
    check(("127.0.0.1", port, port) in published(service), f"{name}: not published on 127.0.0.1:{port}")
    variables = env(service)
    check(str(variables.get("PORT")) == str(port), f"{name}: PORT is not {port}")
    check(str(variables.get("DATABASE_PATH", "")).startswith("/data/"), f"{name}: DATABASE_PATH not in /data")
    if dev:
        command = " ".join(service.get("command", []) if isinstance(service.get("command"), list) else [str(service.get("command"))])
        check("cargo" in command and "watch" in command, f"{name}: dev mode does not run cargo watch")
    else:
        check(service.get("build", {}).get("target") == name, f"{name}: not built from Dockerfile target {name}")
    for neighbour, variable in NEIGHBOURS.get(name, {}).items():
        condition = (service.get("depends_on") or {}).get(neighbour, {})
        check(isinstance(condition, dict) and condition.get("condition") == "service_healthy",
              f"{name}: does not wait for {neighbour} to be healthy")
        expected = f"http://{neighbour}:{PORTS[neighbour]}"
        check(variables.get(variable) == expected, f"{name}: {variable} is not {expected}")

broker = services.get("pact-broker", {})
check(("127.0.0.1", 9292, 9292) in published(broker), "pact-broker: not published on 127.0.0.1:9292")
check("healthcheck" in broker, "pact-broker: no healthcheck")
if embedded:
    check(broker.get("build", {}).get("target") == "pact-broker", "pact-broker: not built from the Dockerfile")
    check(named_volume_on(broker, "/data"), "pact-broker: no named volume on /data")
    check("official-broker-postgres" in services.get("postgres", {}).get("profiles", []),
          "postgres: would start beside the embedded broker")
else:
    image = broker.get("image", "")
    check(image.startswith("pactfoundation/pact-broker:") and not image.endswith(":latest"),
          f"pact-broker: official image not pinned ({image})")
    postgres = services.get("postgres", {})
    check(":" in postgres.get("image", "") and not postgres.get("image", "").endswith(":latest"),
          "postgres: image not pinned")
    check(named_volume_on(postgres, "/var/lib/postgresql/data"), "postgres: no named volume for its data")
    check(not postgres.get("profiles"), "postgres: in a profile, so it would not start")

# The image build needs the whole workspace: every member and topology.txt (compiled in).
dockerfile = (ROOT / "Dockerfile").read_text()
for member in tomllib.loads((ROOT / "Cargo.toml").read_text())["workspace"]["members"]:
    check(f"COPY {member} {member}" in dockerfile, f"Dockerfile: the build stage does not COPY workspace member {member}")
check("topology.txt" in dockerfile, "Dockerfile: the build stage does not COPY topology.txt")

for problem in problems:
    print(f"{' + '.join(files)}: {problem}")
sys.exit(1 if problems else 0)
