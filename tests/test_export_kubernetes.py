"""`monlab export kubernetes DIR --students 3`: manifests valid against the pinned Kubernetes schema,
every namespace complete and isolated, and derived from the same render as `monlab up`.

No cluster runs on these machines: validation is against the API schema (kubernetes-validate) plus
the cross-object checks below, which the schema cannot express.
"""

from __future__ import annotations

import stat
from functools import partial
from pathlib import Path

import pytest
import yaml

from conftest import require
from monlab.export.source import export_spec
from monlab.project import Project
from monlab_cli import monlab as run_monlab

try:
    import kubernetes_validate
except ImportError:  # the test extra pins it; under CI=true its absence fails instead of skipping
    kubernetes_validate = None


@pytest.fixture(autouse=True)
def _validator():
    require(kubernetes_validate is not None, "PyPI kubernetes-validate (the test extra)")

K8S_VERSION = "1.37.0"  # the newest schema kubernetes-validate 1.37.0 ships (pinned in the test extra)
NAMESPACES = ["class-a-1", "class-a-2", "class-a-3"]
APP_IMAGE = "registry.example:5000/monlab/app:1.0"


monlab = partial(run_monlab, columns=200)


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("k8s") / "class"
    done = monlab("export", "kubernetes", str(out), "--students", "3", "--namespace-prefix", "class-a-", "--app-image", APP_IMAGE)
    assert done.returncode == 0, done.stderr
    return out


def documents(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def objects_of(export_dir: Path, namespace: str) -> list[dict]:
    kustomization = yaml.safe_load((export_dir / namespace / "kustomization.yaml").read_text())
    return [doc for name in kustomization["resources"] for doc in documents(export_dir / namespace / name)]


def by_kind(objects: list[dict], kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def test_kustomizations_list_exactly_the_files_written(export_dir):
    top = yaml.safe_load((export_dir / "kustomization.yaml").read_text())
    assert top["kind"] == "Kustomization" and top["resources"] == NAMESPACES
    for namespace in NAMESPACES:
        listed = yaml.safe_load((export_dir / namespace / "kustomization.yaml").read_text())["resources"]
        on_disk = sorted(p.name for p in (export_dir / namespace).iterdir() if p.name != "kustomization.yaml")
        assert sorted(listed) == on_disk and len(listed) == len(set(listed))


def test_every_object_validates_strictly_against_the_pinned_schema(export_dir):
    checked = 0
    for namespace in NAMESPACES:
        for obj in objects_of(export_dir, namespace):
            kubernetes_validate.validate(obj, K8S_VERSION, strict=True)  # raises ValidationError
            checked += 1
    assert checked == 3 * 15  # namespace, policy, secret; 2 app, 5 prometheus, 5 grafana objects


def test_the_validator_can_fail():
    bad = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}, "spec": {"ports": [{"port": "http"}]}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, K8S_VERSION, strict=True)


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_every_object_stays_in_its_namespace(export_dir, namespace):
    objects = objects_of(export_dir, namespace)
    assert [o["metadata"]["name"] for o in objects if o["kind"] == "Namespace"] == [namespace]
    for obj in objects:
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == namespace, obj["metadata"]
        assert obj["metadata"]["labels"]["monlab.project"] == namespace


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_network_policy_admits_only_this_namespaces_pods(export_dir, namespace):
    (policy,) = by_kind(objects_of(export_dir, namespace), "NetworkPolicy").values()
    spec = policy["spec"]
    assert spec["podSelector"] == {} and "Ingress" in spec["policyTypes"]  # applies to every pod here
    for rule in spec["ingress"]:
        assert rule.get("from"), "a rule without `from` admits every source"
        for peer in rule["from"]:
            assert set(peer) == {"podSelector"}, peer  # no namespaceSelector, no ipBlock: this namespace only


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_every_reference_resolves_inside_the_namespace(export_dir, namespace):
    objects = objects_of(export_dir, namespace)
    config_maps, claims, secrets = by_kind(objects, "ConfigMap"), by_kind(objects, "PersistentVolumeClaim"), by_kind(objects, "Secret")
    deployments, services = by_kind(objects, "Deployment"), by_kind(objects, "Service")
    assert set(deployments) == set(services) == {"app", "prometheus", "grafana"}
    used_maps, used_claims = set(), set()
    for deployment in deployments.values():
        template = deployment["spec"]["template"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= template["metadata"]["labels"].items()
        volumes = {v["name"]: v for v in template["spec"].get("volumes", [])}
        (container,) = template["spec"]["containers"]
        assert {m["name"] for m in container.get("volumeMounts", [])} == set(volumes)
        for volume in volumes.values():
            if "configMap" in volume:
                data = config_maps[volume["configMap"]["name"]]["data"]
                assert {item["key"] for item in volume["configMap"]["items"]} == set(data)
                used_maps.add(volume["configMap"]["name"])
            else:
                assert volume["persistentVolumeClaim"]["claimName"] in claims
                used_claims.add(volume["persistentVolumeClaim"]["claimName"])
        for env in container.get("env", []):
            if "valueFrom" in env:
                ref = env["valueFrom"]["secretKeyRef"]
                assert ref["key"] in secrets[ref["name"]]["stringData"]
        assert container["resources"]["requests"] and container["resources"]["limits"]
        assert template["spec"]["securityContext"]["runAsNonRoot"] is True
    assert used_maps == set(config_maps) and used_claims == set(claims)  # nothing dangling either way
    for name, service in services.items():
        matching = [d for d in deployments.values()
                    if service["spec"]["selector"].items() <= d["spec"]["template"]["metadata"]["labels"].items()]
        assert [d["metadata"]["name"] for d in matching] == [name]
        port_names = {p["name"] for p in matching[0]["spec"]["template"]["spec"]["containers"][0]["ports"]}
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= port_names


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_config_args_and_env_are_the_render_up_uses(export_dir, namespace):
    """Rebuild each container's files from its ConfigMap mounts: they are exactly the files `up` puts in."""
    objects = objects_of(export_dir, namespace)
    config_maps, deployments = by_kind(objects, "ConfigMap"), by_kind(objects, "Deployment")
    spec = export_spec(Project(namespace), offline=False, password="unused")
    for service in spec.services:
        pod = deployments[service.service]["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        files = {}
        for mount in container.get("volumeMounts", []):
            config = volumes[mount["name"]].get("configMap")
            if config is None:
                continue
            assert mount["readOnly"] is True
            data = config_maps[config["name"]]["data"]
            for item in config["items"]:
                if "subPath" in mount:
                    if item["path"] == mount["subPath"]:
                        files[mount["mountPath"]] = data[item["key"]]
                else:
                    files[f"{mount['mountPath']}/{item['path']}"] = data[item["key"]]
        assert files == service.files
        assert container.get("args", []) == service.create.command
        plain = {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}
        secret = {e["name"] for e in container.get("env", []) if "valueFrom" in e}
        assert plain | {name: "unused" for name in secret} == service.create.environment
        expected_image = APP_IMAGE if service.service == "app" else service.create.image
        assert container["image"] == expected_image


def test_each_namespace_has_its_own_password_only_in_its_private_secret_file(export_dir):
    passwords = {}
    for namespace in NAMESPACES:
        secret_file = export_dir / namespace / "secret.yaml"
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
        (secret,) = documents(secret_file)
        passwords[namespace] = secret["stringData"]["password"]
    assert len(set(passwords.values())) == 3 and all(len(p) >= 12 for p in passwords.values())
    for path in export_dir.rglob("*"):
        if path.is_file() and path.name != "secret.yaml":
            text = path.read_text()
            assert not any(p in text for p in passwords.values()), path


@pytest.mark.parametrize("args, says", [
    (["--students", "0"], "--students"),
    (["--namespace-prefix", "Class_"], "not a usable namespace"),
    (["--namespace-prefix", "x" * 63], "not a usable namespace"),  # 64 with the number
    (["--app-image", "has space"], "not an image reference"),
])
def test_bad_options_are_usage_errors(tmp_path, args, says):
    done = monlab("export", "kubernetes", str(tmp_path / "out"), *args)
    assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_directory_with_other_files_is_refused_untouched(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    done = monlab("export", "kubernetes", str(tmp_path))
    assert done.returncode == 3 and "no previous monlab export" in done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
